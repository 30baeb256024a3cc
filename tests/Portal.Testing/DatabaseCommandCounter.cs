using System.Data.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Testing;

/// <summary>
/// An EF Core interceptor that counts every command the portal's database contexts execute, and apart those executed
/// on behalf of an HTTP request whose path starts with <see cref="PathPrefix"/> (the request's context flows to the
/// command through <see cref="IHttpContextAccessor"/>). Register it in the host with <see cref="Register"/>.
/// </summary>
public sealed class DatabaseCommandCounter(IHttpContextAccessor http) : DbCommandInterceptor
{
    private int _total;
    private int _forPath;

    public string PathPrefix { get; set; } = "/api/";

    public int Total => Volatile.Read(ref _total);

    /// <summary>Commands run while serving a request under <see cref="PathPrefix"/>.</summary>
    public int ForPath => Volatile.Read(ref _forPath);

    public static void Register(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<DatabaseCommandCounter>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<DatabaseCommandCounter>());
    }

    private void Count()
    {
        Interlocked.Increment(ref _total);
        if (http.HttpContext?.Request.Path.StartsWithSegments(PathPrefix.TrimEnd('/'), StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _forPath);
        }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Count();
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Count();
        return ValueTask.FromResult(result);
    }
}
