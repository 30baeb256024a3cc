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
        var schedules = builder.Configuration.GetSection($"{KeepAliveOptions.SectionName}:Schedules");
        var onSchedule = builder.Configuration.GetValue("KeepAlive:RunJobsOnSchedule", true);
        builder.Services.AddQuartz(q =>
        {
            q.UsePersistentStore(store =>
            {
                store.UseSqlite($"Data Source={quartzDb}");
                store.UseSystemTextJsonSerializer();
                store.ProvisionSchema();
            });
            string? Cron(JobKey key) => onSchedule ? schedules[key.Name] ?? Jobs.Single(j => j.Key.Equals(key)).DefaultCron : null;
            AddJob<RenewComponentTokenJob>(q, RenewComponentTokenJob.Key, Cron(RenewComponentTokenJob.Key));
            AddJob<RefreshAuthorizerTokensJob>(q, RefreshAuthorizerTokensJob.Key, Cron(RefreshAuthorizerTokensJob.Key));
            AddJob<TicketWatchdogJob>(q, TicketWatchdogJob.Key, Cron(TicketWatchdogJob.Key));
            AddJob<ReconcileAuthorizersJob>(q, ReconcileAuthorizersJob.Key, Cron(ReconcileAuthorizersJob.Key));

            q.AddJobListener<JobRunRecorder>();
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    private static void AddJob<T>(IQuartzBuilder q, JobKey key, string? cron)
        where T : IJob
    {
        q.AddJob<T>(j => j.WithIdentity(key).StoreDurably());
        if (cron is not null)
        {
            q.AddTrigger(t => t.ForJob(key).WithIdentity(key.Name, key.Group).WithCronSchedule(cron));
        }
    }

    private static bool IsCron(string expression)
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
