using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Web.Infrastructure;

/// <summary>
/// Limits for actions inside a Blazor circuit (launch clicks, invitations, failed sign-ins per address and account):
/// fixed windows from <see cref="RateLimitOptions"/>, one partition per key.
/// </summary>
public sealed class ActionRateLimiter(IOptionsMonitor<RateLimitOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _limiters = new();

    /// <summary>Takes one permit for <paramref name="key"/> under the named rule; false (with how long to wait) when none is left.</summary>
    public bool TryAcquire(string ruleName, string key, out TimeSpan retryAfter)
    {
        var rule = RuleOf(ruleName);
        var limiter = _limiters.GetOrAdd($"{ruleName}:{rule.PermitLimit}:{rule.Window.Ticks}", _ => PartitionedRateLimiter.Create<string, string>(k =>
            RateLimitPartition.GetFixedWindowLimiter(k, _ => new FixedWindowRateLimiterOptions { PermitLimit = rule.PermitLimit, Window = rule.Window, QueueLimit = 0 })));
        using var lease = limiter.AttemptAcquire(key);
        retryAfter = lease.IsAcquired ? TimeSpan.Zero : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : rule.Window;
        return lease.IsAcquired;
    }

    /// <summary>True when <paramref name="key"/> has no permit left under the rule, without taking one.</summary>
    public bool IsExhausted(string ruleName, string key, out TimeSpan retryAfter)
    {
        var rule = RuleOf(ruleName);
        if (_limiters.TryGetValue($"{ruleName}:{rule.PermitLimit}:{rule.Window.Ticks}", out var limiter)
            && limiter.GetStatistics(key) is { CurrentAvailablePermits: <= 0 })
        {
            retryAfter = rule.Window;
            return true;
        }

        retryAfter = TimeSpan.Zero;
        return false;
    }

    private RateLimitRule RuleOf(string ruleName)
        => options.CurrentValue.Rules.FirstOrDefault(r => r.Key == ruleName).Rule
           ?? throw new ArgumentException($"no rate-limit rule {ruleName}", nameof(ruleName));

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
