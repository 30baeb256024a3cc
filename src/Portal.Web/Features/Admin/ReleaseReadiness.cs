using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Errors;
using Portal.WeChat.Protocol.Release;
using Portal.Web.Features.Component;
using Portal.Web.Features.Messages;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Admin;

public enum CheckStatus
{
    Ok = 0,
    Warning = 1,
    Failed = 2,
}

/// <summary>
/// What a check found, as a text key of the UI's resources and its arguments; <see cref="WeChatErrCode"/> when WeChat
/// answered with an error (the UI explains it), <see cref="Failure"/> for a recorded failure.
/// </summary>
public sealed record ReadinessFinding(string Key, object[] Arguments, int? WeChatErrCode = null, StoredFailure? Failure = null)
{
    public static ReadinessFinding Of(string key, params object[] arguments) => new(key, arguments);
}

/// <summary>One readiness check: what it found and, where WeChat's console wants something, the exact value to paste.</summary>
public sealed record ReadinessCheck(string Key, CheckStatus Status, IReadOnlyList<ReadinessFinding> Findings, string? Paste = null)
{
    public ReadinessCheck(string key, CheckStatus status, ReadinessFinding finding, string? paste = null)
        : this(key, status, [finding], paste)
    {
    }
}

/// <summary>The checks and the release-test results they were made from.</summary>
public sealed record ReadinessReport(IReadOnlyList<ReadinessCheck> Checks, IReadOnlyList<ReleaseCaseResult> ReleaseResults);

/// <summary>The portal's latest outcome for one release-test case of one account.</summary>
public sealed record ReleaseCaseResult(int Group, string AppId, string Case, bool Succeeded, DateTimeOffset At, StoredFailure? Failure);

/// <summary>
/// What WeChat's console needs before 全网发布 and whether the portal is ready for it: the URLs and domain to paste,
/// the token and key format, a recent ticket, a component token obtainable from this server (61004 → the IP
/// whitelist), and the last release-test results. Nothing secret is shown: the token and key are named by setting.
/// </summary>
public sealed partial class ReleaseReadiness(
    IOptionsMonitor<WeChatOptions> wechat,
    IOptionsMonitor<PortalOptions> portal,
    IOptionsMonitor<MessagesOptions> messages,
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    ComponentApiClient client,
    TimeProvider time)
{
    /// <summary>How old the last ticket may be (WeChat pushes every 10 minutes).</summary>
    public static readonly TimeSpan TicketFreshness = TimeSpan.FromMinutes(20);

    public string EventUrl => portal.CurrentValue.PublicBaseUrl.TrimEnd('/') + EmulatorMounting.EventPath;

    public string MessageUrl => portal.CurrentValue.PublicBaseUrl.TrimEnd('/') + EmulatorMounting.MessagePathPattern;

    public async Task<ReadinessReport> RunAsync(string? browsingHost, CancellationToken cancellationToken)
    {
        static ReadinessFinding L(string key, params object[] arguments) => ReadinessFinding.Of(key, arguments);
        var w = wechat.CurrentValue;
        var live = w.Mode == WeChatMode.Live;
        var baseUri = new Uri(portal.CurrentValue.PublicBaseUrl);
        var https = baseUri.Scheme == Uri.UriSchemeHttps;
        var checks = new List<ReadinessCheck>
        {
            new("event_url", live && !https ? CheckStatus.Warning : CheckStatus.Ok, live && !https ? L("ready.https") : L("ready.event_url.ok"), EventUrl),
            new("message_url", live && !https ? CheckStatus.Warning : CheckStatus.Ok, live && !https ? L("ready.https") : L("ready.message_url.ok"), MessageUrl),
        };

        var domainProblem = browsingHost is not null && !string.Equals(browsingHost, baseUri.Host, StringComparison.OrdinalIgnoreCase);
        checks.Add(new("domain", domainProblem ? CheckStatus.Warning : CheckStatus.Ok,
            domainProblem ? L("ready.domain.differs", browsingHost!, baseUri.Host) : L("ready.domain.ok"), baseUri.Host));

        var tokenOk = WeChatOptionsValidator.IsToken(w.Token);
        var keyOk = Portal.WeChat.Protocol.Crypto.EncodingAesKey.TryValidate(w.EncodingAesKey, out _);
        checks.Add(new("token_key", tokenOk && keyOk ? CheckStatus.Ok : CheckStatus.Failed,
            tokenOk && keyOk ? [L("ready.token_key.ok")] : [.. tokenOk ? [] : new[] { L("ready.token.bad") }, .. keyOk ? [] : new[] { L("ready.key.bad") }]));

        var (ticketAt, _, _) = await component.StatusAsync(cancellationToken);
        var age = ticketAt is { } at ? time.GetUtcNow() - at : (TimeSpan?)null;
        checks.Add(age switch
        {
            null => new("ticket", CheckStatus.Failed, L("ready.ticket.none")),
            { } a when a > TicketFreshness => new("ticket", CheckStatus.Warning, L("ready.ticket.old", (int)a.TotalMinutes)),
            { } a => new("ticket", CheckStatus.Ok, L("ready.ticket.ok", Math.Max(0, (int)a.TotalMinutes))),
        });

        checks.Add(await ComponentTokenCheckAsync(cancellationToken));
        var results = await ReleaseResultsAsync(cancellationToken);
        checks.Add(ReleaseTestCheck(results));
        return new ReadinessReport(checks, results);
    }

    private async Task<ReadinessCheck> ComponentTokenCheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A real call, not only the cached token: an IP missing from the whitelist fails every API with 61004.
            await component.CallAsync((token, ct) => client.GetAuthorizerListAsync(new GetAuthorizerListRequest(token, 0, 1), ct), cancellationToken);
            return new("component_token", CheckStatus.Ok, ReadinessFinding.Of("ready.component.ok"));
        }
        catch (WeChatApiException ex) when (ex.ErrorCode == WeChatErrorCodes.ClientIpNotRegistered)
        {
            return new("component_token", CheckStatus.Failed, ReadinessFinding.Of("ready.component.ip", ExtractIp(ex.Message) ?? "?"), ExtractIp(ex.Message));
        }
        catch (WeChatApiException ex)
        {
            return new("component_token", CheckStatus.Failed, new ReadinessFinding("ready.component.wechat", [], WeChatErrCode: ex.ErrorCode));
        }
        catch (PortalException ex)
        {
            return new("component_token", CheckStatus.Failed, new ReadinessFinding("failure." + ex.Code, [.. ex.Arguments]));
        }
    }

    /// <summary>WeChat's 61004 message names the caller's IP ("invalid ip 1.2.3.4 ipv6 ::ffff:…, not in whitelist").</summary>
    private static string? ExtractIp(string message) => IpInMessage().Match(message) is { Success: true } m ? m.Groups[1].Value : null;

    private async Task<IReadOnlyList<ReleaseCaseResult>> ReleaseResultsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var recent = await db.ReleaseTestRecords.AsNoTracking().OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Take(500).ToListAsync(cancellationToken);
        return recent.GroupBy(r => (r.AuthorizerAppId, r.Case)).Select(g => g.First())
            .Select(r => new ReleaseCaseResult(r.Group, r.AuthorizerAppId, r.Case, r.Succeeded, r.At, r.Failure()))
            .OrderBy(r => r.Group).ThenBy(r => r.AppId).ThenBy(r => r.Case).ToList();
    }

    private ReadinessCheck ReleaseTestCheck(IReadOnlyList<ReleaseCaseResult> results)
    {
        if (results.Count == 0)
        {
            return new("release_test", CheckStatus.Warning, ReadinessFinding.Of("ready.release.none"));
        }

        var failed = results.Where(r => !r.Succeeded).ToList();
        if (failed.Count > 0)
        {
            return new("release_test", CheckStatus.Failed, new ReadinessFinding("ready.release.failed", [failed.Count, failed[0].AppId, failed[0].Case], Failure: failed[0].Failure));
        }

        // A group passes when both of its accounts answered all three cases.
        var passedGroups = results.GroupBy(r => r.Group).Where(g => g.Count() >= 6).Select(g => g.Key).Order().ToList();
        var configured = messages.CurrentValue.ReleaseTestAppIds.Length;
        return passedGroups.Count == 0
            ? new("release_test", CheckStatus.Warning, ReadinessFinding.Of("ready.release.partial"))
            : new("release_test", CheckStatus.Ok, ReadinessFinding.Of("ready.release.ok", string.Join(", ", passedGroups), configured));
    }

    [GeneratedRegex(@"ip ([0-9a-fA-F\.:]+)")]
    private static partial Regex IpInMessage();
}
