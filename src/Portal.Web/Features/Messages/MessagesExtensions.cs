using Portal.Web.Features.Ingestion;

namespace Portal.Web.Features.Messages;

public static class MessagesExtensions
{
    public static IHostApplicationBuilder AddPortalMessages(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MessagesOptions>()
            .BindConfiguration(MessagesOptions.SectionName)
            .Validate(o => o.RetentionDays is >= 1 and <= 3650, "Messages:RetentionDays must be between 1 and 3650 days.")
            .ValidateOnStart();
        builder.AddPortalIngestion();
        builder.Services.AddSingleton<ReleaseTestResponder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReleaseTestResponder>());
        return builder;
    }

    public static WebApplication MapPortalMessages(this WebApplication app)
    {
        app.MapAccountMessages();
        return app;
    }
}
