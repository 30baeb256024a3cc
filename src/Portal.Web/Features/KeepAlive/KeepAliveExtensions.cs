using Portal.Web.Features.Data;
using Portal.Web.Features.KeepAlive.Hangfire;
using Portal.Web.Features.KeepAlive.Jobs;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;

namespace Portal.Web.Features.KeepAlive;

public static class KeepAliveExtensions
{
    /// <summary>The refresher, the job bodies and their runner, the token API's services, and the jobs' scheduler (Hangfire, data/hangfire.db).</summary>
    public static IHostApplicationBuilder AddPortalKeepAlive(this IHostApplicationBuilder builder)
    {
        // Its endpoints word failures for machines from the resources (ErrorText.ForMachines).
        builder.Services.AddLocalization();
        builder.Services.AddOptions<KeepAliveOptions>().BindConfiguration(KeepAliveOptions.SectionName)
            .Validate(o => o.MaxConcurrency is >= 1 and <= 256, "KeepAlive:MaxConcurrency must be 1 to 256")
            .Validate(o => o.RefreshMargin > TimeSpan.Zero && o.LeaseDuration > TimeSpan.Zero, "KeepAlive:RefreshMargin and KeepAlive:LeaseDuration must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<RefreshSchedule>();
        builder.Services.AddSingleton<AlertService>();
        builder.Services.AddSingleton<AuthorizerTokenRefresher>();
        builder.Services.AddSingleton<RefreshSweep>();
        builder.Services.AddSingleton<ApiKeyService>();
        builder.Services.AddHostedService<ApiKeyUsageFlusher>();
        builder.Services.AddSingleton<OpsConsole>();
        builder.Services.AddSingleton<OpsOverview>();
        builder.Services.AddHttpClient(AlertService.WebhookClient).RemoveAllLoggers();

        builder.Services.AddSingleton<IPortalJob, RenewComponentTokenJob>();
        builder.Services.AddSingleton<IPortalJob, RefreshAuthorizerTokensJob>();
        builder.Services.AddSingleton<IPortalJob, TicketWatchdogJob>();
        builder.Services.AddSingleton<IPortalJob, ReconcileAuthorizersJob>();
        builder.Services.AddSingleton<IPortalJob, RefreshAuthorizerJob>();
        builder.Services.AddSingleton<IPortalJob, RefreshAuthorizerWhenDueJob>();
        builder.Services.AddSingleton<IPortalJob, ResyncAuthorizerJob>();
        builder.Services.AddSingleton<IPortalJob, Messages.PurgeMessagesJob>();
        builder.Services.AddSingleton<IPortalJob, Pushes.PruneReplayGuardJob>();
        builder.Services.AddSingleton<IPortalJob, PurgeJobRunsJob>();
        builder.Services.AddSingleton<JobRunner>();
        builder.Services.AddSingleton<IRefreshScheduling>(sp => sp.GetRequiredService<JobRunner>());
        builder.Services.AddHostedService<AbandonedRunsRecovery>();

        var portal = new PortalOptions();
        builder.Configuration.GetSection(PortalOptions.SectionName).Bind(portal);
        var dataDirectory = builder.Environment.ResolveDataDirectory(portal);
        builder.Services.AddPortalHangfire(dataDirectory, DatabaseSettings.Read(builder.Configuration, dataDirectory));
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalKeepAlive(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTokenApi();
        endpoints.MapPortalJobsDashboard();
        return endpoints;
    }
}
