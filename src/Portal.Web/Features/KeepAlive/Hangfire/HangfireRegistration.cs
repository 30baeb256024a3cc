using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Portal.Web.Features.Data;
using Portal.Web.Features.Identity;
using Portal.Web.Features.KeepAlive.Jobs;

namespace Portal.Web.Features.KeepAlive.Hangfire;

/// <summary>
/// The only place that knows the jobs run on Hangfire: its store (SQLite in its own file for one instance, or the
/// <c>hangfire</c> schema of the portal's PostgreSQL database for any number of instances), a server in this process
/// polling every second, the adapters, and the Dashboard under the ops area.
/// </summary>
public static class HangfireRegistration
{
    public const string DashboardPath = "/operations/hangfire";

    /// <summary>
    /// Hangfire.PostgreSql's distributed lock has no heartbeat: a lock older than this counts as abandoned. It must be
    /// longer than the longest job that holds one (no job here holds one over a few seconds: exclusivity per job is the
    /// portal's own lease, <see cref="Jobs.JobRunner"/>), and it is how long a lock of a killed instance blocks others.
    /// </summary>
    public static readonly TimeSpan DistributedLockTimeout = TimeSpan.FromMinutes(2);

    public static IServiceCollection AddPortalHangfire(this IServiceCollection services, string dataDirectory, DatabaseSettings database)
    {
        // Registered per host (not JobStorage.Current) so test hosts in one process stay apart.
        if (database.IsPostgreSql)
        {
            // Its own schema in the portal's database: one backup, one connection string, no table-name collisions.
            services.AddSingleton<JobStorage>(_ =>
            {
                var options = new PostgreSqlStorageOptions
                {
                    SchemaName = DatabaseSettings.HangfireSchema,
                    PrepareSchemaIfNecessary = true,
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                    DistributedLockTimeout = DistributedLockTimeout,
                    // A job still running keeps its fetch alive; a killed instance's job is fetched again after this.
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromMinutes(5),
                };
                return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
            });
        }
        else
        {
            // Its own file: Hangfire's unprefixed tables (Job, State, Set, Lock…) would collide with ours, and sharing the
            // file slows both.
            var path = Path.Combine(dataDirectory, "hangfire.db");
            services.AddSingleton<JobStorage>(_ => new SQLiteStorage(path, new SQLiteStorageOptions { QueuePollInterval = TimeSpan.FromSeconds(1) }));
        }

        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<IJobQueue, HangfireJobQueue>();
        services.AddTransient<RecurringJobAdapter>();
        services.AddTransient<QueuedJobAdapter>();

        // Registered before the server so the schedules are in place (and a wrong cron stops start-up) before it polls.
        services.AddHostedService<JobScheduleInitializer>();
        services.AddHangfireServer((_, o) =>
        {
            // Defaults are 15 s: a "run now" would wait that long and a faster cron would skip occurrences.
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            o.WorkerCount = 4;
            o.ShutdownTimeout = TimeSpan.FromSeconds(30);
        });
        return services;
    }

    /// <summary>The Hangfire Dashboard for Ops (read-only) and Admin (full), on the portal's cookie; its POSTs need the antiforgery token.</summary>
    public static IEndpointRouteBuilder MapPortalJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            AppPath = "/operations",
            DashboardTitle = "Portal · Hangfire",
            // The footer would show the storage path.
            DisplayStorageConnectionString = false,
            Authorization = [],
            AsyncAuthorization = [new PortalDashboardAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsInRole(Roles.Admin),
        });
        return endpoints;
    }

    /// <summary>Ops and Admin only; Hangfire answers 401 to anonymous and 403 to other signed-in users.</summary>
    private sealed class PortalDashboardAuthorization : IDashboardAsyncAuthorizationFilter
    {
        public Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var user = context.GetHttpContext().User;
            return Task.FromResult(user.Identity?.IsAuthenticated == true && (user.IsInRole(Roles.Ops) || user.IsInRole(Roles.Admin)));
        }
    }
}
