using Microsoft.Extensions.Options;
using Portal.Web.Features.WeChat;
using Portal.Web.Infrastructure;
using Quartz;

namespace Portal.Web.Features.KeepAlive;

public static class KeepAliveExtensions
{
    public static readonly (JobKey Key, string DefaultCron)[] Jobs =
    [
        (RenewComponentTokenJob.Key, "0 * * * * ?"),
        (RefreshAuthorizerTokensJob.Key, "30 * * * * ?"),
        (TicketWatchdogJob.Key, "15 */5 * * * ?"),
        (ReconcileAuthorizersJob.Key, "0 30 3 * * ?"),
        (Messages.PurgeMessagesJob.Key, "0 0 4 * * ?"),
    ];

    /// <summary>Quartz with its persistent store in its own SQLite file (data/quartz.db), the jobs and the token API's services.</summary>
    public static IHostApplicationBuilder AddPortalKeepAlive(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeepAliveOptions>().BindConfiguration(KeepAliveOptions.SectionName)
            .Validate(o => o.MaxConcurrency is >= 1 and <= 256, "KeepAlive:MaxConcurrency must be 1 to 256")
            .Validate(o => o.RefreshMargin > TimeSpan.Zero && o.LeaseDuration > TimeSpan.Zero, "KeepAlive:RefreshMargin and KeepAlive:LeaseDuration must be positive")
            .Validate(o => o.Schedules.Values.All(IsCron), "KeepAlive:Schedules must be valid Quartz cron expressions")
            .ValidateOnStart();
        builder.Services.AddSingleton<RefreshSchedule>();
        builder.Services.AddSingleton<AlertService>();
        builder.Services.AddSingleton<AuthorizerTokenRefresher>();
        builder.Services.AddSingleton<RefreshSweep>();
        builder.Services.AddSingleton<ApiKeyService>();
        builder.Services.AddSingleton<OpsConsole>();
        builder.Services.AddHttpClient(AlertService.WebhookClient).RemoveAllLoggers();

        var portal = new PortalOptions();
        builder.Configuration.GetSection(PortalOptions.SectionName).Bind(portal);
        var quartzDb = Path.Combine(builder.Environment.ResolveDataDirectory(portal), "quartz.db");
        builder.Services.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                // Its own file: sharing the EF database would make the two lock each other out ("database is locked").
                store.UseSqlite($"Data Source={quartzDb}");
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            q.AddJob<RenewComponentTokenJob>(j => j.WithIdentity(RenewComponentTokenJob.Key).StoreDurably());
            q.AddJob<RefreshAuthorizerTokensJob>(j => j.WithIdentity(RefreshAuthorizerTokensJob.Key).StoreDurably());
            q.AddJob<TicketWatchdogJob>(j => j.WithIdentity(TicketWatchdogJob.Key).StoreDurably());
            q.AddJob<ReconcileAuthorizersJob>(j => j.WithIdentity(ReconcileAuthorizersJob.Key).StoreDurably());
            q.AddJob<Messages.PurgeMessagesJob>(j => j.WithIdentity(Messages.PurgeMessagesJob.Key).StoreDurably());
            q.AddJobListener<JobRunRecorder>();
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<JobScheduleInitializer>();
        return builder;
    }

    internal static bool IsCron(string expression)
    {
        try
        {
            _ = new CronExpression(expression);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static IEndpointRouteBuilder MapPortalKeepAlive(this IEndpointRouteBuilder endpoints) => endpoints.MapTokenApi();
}
