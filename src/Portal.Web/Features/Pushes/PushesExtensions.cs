namespace Portal.Web.Features.Pushes;

public static class PushesExtensions
{
    /// <summary>The poison-item view for ops (the endpoints and the inbox processor are registered with onboarding).</summary>
    public static IHostApplicationBuilder AddPortalPushes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PoisonPushes>();
        return builder;
    }
}
