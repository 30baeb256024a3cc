using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Portal.Web.Features.KeepAlive;

/// <summary>When a token is due: its expiry less the margin less a stable per-authorizer jitter.</summary>
public sealed class RefreshSchedule(IOptionsMonitor<KeepAliveOptions> options)
{
    public DateTimeOffset DueAt(string appId, DateTimeOffset expiresAt)
    {
        var o = options.CurrentValue;
        var jitterSeconds = (long)o.RefreshJitter.TotalSeconds;
        var jitter = jitterSeconds <= 0 ? 0 : (long)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(appId))) % (ulong)jitterSeconds);
        return expiresAt - o.RefreshMargin - TimeSpan.FromSeconds(jitter);
    }
}
