using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.WeChat.Client;
using Portal.WeChat.Client.Models;
using Portal.WeChat.Protocol.Links;
using Portal.WeChat.Protocol.Permissions;
using Portal.WeChat.Protocol.Xml;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Component;
using Portal.Web.Features.Identity;
using Portal.Web.Features.WeChat;

namespace Portal.Web.Features.Onboarding;

/// <summary>
/// From "Bind WeChat account" to an authorizer linked to its shop: invitations, the launch (a fresh pre_auth_code per
/// click), completion from the redirect or the push (whichever comes first; the code is exchanged once), the conflict
/// rules, and cancellation. Every binding transition is recorded and audited.
/// </summary>
public sealed partial class OnboardingService(
    IDbContextFactory<PortalDbContext> dbFactory,
    ComponentTokenService component,
    ComponentApiClient client,
    AuthorizationExchanger exchanger,
    InviteTokens tokens,
    AuditLog audit,
    Infrastructure.ActionLimits limits,
    Data.LeaseStore leases,
    IOptionsMonitor<WeChatOptions> wechat,
    IOptionsMonitor<PortalOptions> portal,
    IOptionsMonitor<OnboardingOptions> onboarding,
    Portal.Web.Features.Data.TokenCache tokenCache,
    TimeProvider time,
    ILogger<OnboardingService> logger)
{
    public const string CallbackPath = "/onboarding/callback";
    public const string LaunchPath = "/onboarding/launch";

    /// <summary>Failure code of an invitation whose link WeChat's push disowned.</summary>
    public const string CodeMismatch = "code_mismatch";

    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The database lease that makes binding changes one at a time across instances (with the in-process gate).</summary>
    public const string LinkLease = "onboarding-link";

    private readonly SemaphoreSlim _linkGate = new(1, 1);

    /// <summary>
    /// Binding changes (link, disown, revoke, state refresh) one at a time: in this process (the semaphore) and across
    /// instances (the <see cref="LinkLease"/> lease); the redirect on one instance and the push on another would otherwise
    /// race on the same binding row.
    /// </summary>
    private async Task<string> EnterLinkGateAsync(CancellationToken cancellationToken)
    {
        await _linkGate.WaitAsync(cancellationToken);
        try
        {
            var delay = TimeSpan.FromMilliseconds(10);
            while (true)
            {
                if (await leases.TryAcquireAsync(LinkLease, TimeSpan.FromSeconds(30), cancellationToken) is { } owner)
                {
                    return owner;
                }

                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
            }
        }
        catch
        {
            _linkGate.Release();
            throw;
        }
    }

    private async Task ExitLinkGateAsync(string owner)
    {
        try
        {
            await leases.ReleaseAsync(LinkLease, owner);
        }
        finally
        {
            _linkGate.Release();
        }
    }

    // ---- invitations ------------------------------------------------------------------------------------------------

    public async Task<CreatedInvite> CreateInviteAsync(Actor actor, int shopId, InviteRequest request, CancellationToken cancellationToken)
    {
        if (request.BizAppId is { Length: > 0 } biz && !WeChatOptionsValidator.IsAppId(biz))
        {
            throw new PortalException(FailureCode.BadBizAppId);
        }

        if (request.CategoryIds.Any(id => id <= 0))
        {
            throw new PortalException(FailureCode.BadCategory);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (actor.User is null || !await ShopAccess.CanActOnAsync(db, actor.User, shopId, cancellationToken))
        {
            throw Forbidden();
        }

        limits.EnsureInviteAllowed(actor.Name, actor.RemoteIp);

        return await AddInviteAsync(db, actor, shopId, request, cancellationToken);
    }

    /// <summary>
    /// The one-click re-authorization from a result page: for the same shop and account (biz_appid), offering what was
    /// granted plus the missing required sets (offering only the missing ones would make WeChat drop the rest).
    /// Only whoever completed that authorization (the holder of the invitation and of its completed attempt) may ask.
    /// </summary>
    public async Task<CreatedInvite> CreateReauthorizationInviteAsync(string originalToken, string? attemptToken, Actor actor, CancellationToken cancellationToken)
    {
        limits.EnsureInviteAllowed(actor.User?.Identity?.IsAuthenticated == true ? actor.Name : null, actor.RemoteIp);
        var invite = await LoadInviteAsync(originalToken, cancellationToken);
        var attempt = await FindAttemptAsync(invite.Id, attemptToken, cancellationToken);
        if (invite.ResultAuthorizerAppId is not { } appId || attempt?.AuthCodeHash is not { } codeHash
            || await exchanger.FindAsync(codeHash, cancellationToken) is not { } code || code.AttemptId != attempt.Id || code.AuthorizerAppId != appId)
        {
            throw InviteInvalid();
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Permissions).FirstAsync(a => a.AppId == appId, cancellationToken);
        var reauthActor = actor with { Name = actor.User?.Identity?.IsAuthenticated == true ? actor.Name : $"{invite.CreatedBy} (re-authorization link)" };
        return await AddInviteAsync(db, reauthActor, invite.ShopId, ReauthorizationRequest(authorizer), cancellationToken);
    }

    /// <summary>
    /// Ops' re-invitation of a store's bound account (token health: a failing or missing authorization): for that account
    /// only, offering what it granted plus the required sets, like the result page's one-click re-authorization. The
    /// account must be the one bound to the store; the caller's store scope is re-checked.
    /// </summary>
    public async Task<CreatedInvite> CreateAccountReinviteAsync(Actor actor, int shopId, string appId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (actor.User is null || !await ShopAccess.CanActOnAsync(db, actor.User, shopId, cancellationToken))
        {
            throw Forbidden();
        }

        var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Permissions)
            .FirstOrDefaultAsync(a => a.AppId == appId && db.Bindings.Any(b => b.ShopId == shopId && b.AuthorizerId == a.Id), cancellationToken)
            ?? throw Forbidden();
        limits.EnsureInviteAllowed(actor.Name, actor.RemoteIp);
        return await AddInviteAsync(db, actor, shopId, ReauthorizationRequest(authorizer), cancellationToken);
    }

    /// <summary>Re-authorization offers what was granted plus the missing required sets (offering only the missing ones would make WeChat drop the rest).</summary>
    private InviteRequest ReauthorizationRequest(Authorizer authorizer)
    {
        var sets = authorizer.Permissions.Select(p => p.SetId).Union(onboarding.CurrentValue.RequiredFor(authorizer.Kind)).Order().ToList();
        var authType = authorizer.Kind == AuthorizerKind.MiniProgram ? AuthType.MiniProgram : AuthType.OfficialAccount;
        return new InviteRequest(authType, authorizer.AppId, sets);
    }

    private async Task<CreatedInvite> AddInviteAsync(PortalDbContext db, Actor actor, int shopId, InviteRequest request, CancellationToken cancellationToken)
    {
        var shop = await db.Shops.Include(s => s.Binding).FirstAsync(s => s.Id == shopId, cancellationToken);
        var now = time.GetUtcNow();
        var token = InviteTokens.Create();
        var invite = new Invite
        {
            Id = Guid.NewGuid(),
            TokenHash = InviteTokens.Hash(token),
            ShopId = shopId,
            CreatedBy = actor.Name,
            CreatedAt = now,
            ExpiresAt = now + onboarding.CurrentValue.InviteLifetime,
            AuthType = request.AuthType is { } t ? (int)t : null,
            BizAppId = string.IsNullOrWhiteSpace(request.BizAppId) ? null : request.BizAppId.Trim(),
            CategoryIds = request.CategoryIds.Count == 0 ? null : string.Join('|', request.CategoryIds.Distinct().Order()),
        };
        db.Invites.Add(invite);
        shop.Binding ??= new Binding { ShopId = shopId, State = BindingState.Unbound, UpdatedAt = now };
        if (shop.Binding.State is BindingState.Unbound or BindingState.Revoked)
        {
            Transition(db, shop.Binding, null, BindingState.Invited, $"invitation {invite.Id:N} created", actor);
        }

        audit.Add(db, actor, "invite.created", $"shop:{shopId}", $"invite {invite.Id:N}; auth_type {invite.AuthType?.ToString() ?? "-"}; biz_appid {invite.BizAppId ?? "-"}; sets {invite.CategoryIds ?? "default"}");
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedInvite(invite.Id, token, $"{LaunchPath}?invite={Uri.EscapeDataString(token)}", invite.ExpiresAt);
    }

    public async Task<InviteView> ResolveAsync(string? token, CancellationToken cancellationToken)
    {
        var invite = await LoadInviteAsync(token, cancellationToken);
        return ToView(invite);
    }

    // ---- launch -----------------------------------------------------------------------------------------------------

    /// <summary>
    /// Mints a fresh pre_auth_code for one single-use attempt and builds the PC or mobile link for it. The attempt's
    /// random token rides in redirect_uri: the callback is accepted only for it, once.
    /// </summary>
    public async Task<LaunchLink> StartAsync(string token, bool mobile, Actor actor, CancellationToken cancellationToken)
    {
        limits.EnsureLaunchAllowed(token, actor.RemoteIp);
        var invite = await LoadInviteAsync(token, cancellationToken);
        EnsureOpen(invite);

        var preAuth = await component.CallAsync((t, ct) => client.CreatePreAuthCodeAsync(new CreatePreAuthCodeRequest(t), ct), cancellationToken);
        var now = time.GetUtcNow();
        var expiresAt = now.AddSeconds(preAuth.ExpiresIn);
        var attemptToken = RandomNumberGenerator.GetString(TokenAlphabet, 32);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.InviteAttempts.Add(new InviteAttempt
            {
                InviteId = invite.Id,
                PreAuthCodeHash = InviteTokens.Hash(preAuth.PreAuthCode),
                TokenHash = InviteTokens.Hash(attemptToken),
                CreatedAt = now,
                ExpiresAt = expiresAt,
            });
            var binding = await db.Bindings.FirstOrDefaultAsync(b => b.ShopId == invite.ShopId, cancellationToken);
            if (binding is { State: BindingState.Invited })
            {
                Transition(db, binding, null, BindingState.Authorizing, $"authorization page opened from invitation {invite.Id:N}", actor);
            }

            await db.SaveChangesAsync(cancellationToken);
        }

        var w = wechat.CurrentValue;
        var builder = new AuthorizationLinkBuilder(w.AuthPageBaseUrl, w.MobileAuthBaseUrl);
        var request = new AuthorizationLinkRequest(
            w.ComponentAppId,
            preAuth.PreAuthCode,
            $"{portal.CurrentValue.PublicBaseUrl.TrimEnd('/')}{CallbackPath}?invite={Uri.EscapeDataString(token)}&attempt={attemptToken}",
            invite.AuthType is { } type ? (AuthType)type : null,
            invite.BizAppId,
            ParseSets(invite.CategoryIds));
        return new LaunchLink(mobile ? builder.BuildMobileLink(request) : builder.BuildPcLink(request), expiresAt);
    }

    // ---- completion --------------------------------------------------------------------------------------------------

    /// <summary>
    /// The redirect back from WeChat. Accepted only for a live attempt of this invitation, and only with the one code
    /// that attempt first presented: a code recorded for another attempt (or named by WeChat's push for another
    /// pre_auth_code) is refused without a word about its account. Presenting the same attempt and code again (a
    /// refresh) shows the same result.
    /// </summary>
    public async Task<CompletionResult> CompleteFromCallbackAsync(string? token, string? attemptToken, string? authCode, CancellationToken cancellationToken)
    {
        var invite = await LoadInviteAsync(token, cancellationToken);
        if (string.IsNullOrEmpty(authCode))
        {
            throw new PortalException(FailureCode.NotAuthorized);
        }

        var attempt = await FindAttemptAsync(invite.Id, attemptToken, cancellationToken) ?? throw AttemptInvalid();
        var codeHash = InviteTokens.Hash(authCode);
        var now = time.GetUtcNow();
        if (attempt.AuthCodeHash is null)
        {
            if (attempt.ExpiresAt + onboarding.CurrentValue.AttemptGrace <= now)
            {
                throw AttemptExpired();
            }

            if (invite.Status == InviteStatus.Open && invite.ExpiresAt <= now)
            {
                throw InviteExpired();
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.InviteAttempts.Where(a => a.Id == attempt.Id && a.AuthCodeHash == null)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.AuthCodeHash, codeHash).SetProperty(a => a.ConsumedAt, now), cancellationToken);
            attempt = await db.InviteAttempts.AsNoTracking().FirstAsync(a => a.Id == attempt.Id, cancellationToken);
        }

        if (attempt.AuthCodeHash != codeHash)
        {
            LogCodeRefused(logger, invite.Id);
            throw CodeRefused();
        }

        // A code already known (exchanged through another attempt, or named by a push for another pre_auth_code) comes
        // back as its record without asking WeChat, and is refused here before anything is linked or shown.
        var code = await exchanger.ExchangeOnceAsync(authCode, new ExchangeClaim(attempt.Id, null), cancellationToken);
        if (!BelongsTo(code, attempt))
        {
            LogCodeRefused(logger, invite.Id);
            throw CodeRefused();
        }

        await LinkAsync(invite.Id, attempt.Id, code.AuthorizerAppId, Actor.WeChat, cancellationToken);
        var linked = await LoadInviteAsync(token, cancellationToken);
        if (linked.ResultAuthorizerAppId != code.AuthorizerAppId)
        {
            throw linked.FailureCode == CodeMismatch ? CodeRefused() : InviteUsed();
        }

        return await ResultAsync(invite.Id, token!, cancellationToken);
    }

    /// <summary>
    /// An <c>authorized</c> or <c>updateauthorized</c> push: exchange (once), then link through the attempt whose
    /// pre_auth_code the push names, if any. When a redirect already presented the code on another attempt, that link
    /// is undone: WeChat says the code was not produced there.
    /// </summary>
    public async Task CompleteFromPushAsync(AuthorizationGrant grant, CancellationToken cancellationToken)
    {
        var codeHash = InviteTokens.Hash(grant.AuthorizationCode);
        var preAuthHash = grant.PreAuthCode is { Length: > 0 } preAuthCode ? InviteTokens.Hash(preAuthCode) : null;
        InviteAttempt? attempt = null;
        if (preAuthHash is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            attempt = await db.InviteAttempts.AsNoTracking().FirstOrDefaultAsync(a => a.PreAuthCodeHash == preAuthHash, cancellationToken);
        }

        var code = await exchanger.ExchangeOnceAsync(grant.AuthorizationCode, new ExchangeClaim(attempt?.Id, preAuthHash), cancellationToken);
        if (preAuthHash is not null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await db.ExchangedAuthCodes.Where(c => c.CodeHash == codeHash && c.PreAuthCodeHash == null)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.PreAuthCodeHash, preAuthHash), cancellationToken);
            if (code.AttemptId is { } claimed && claimed != attempt?.Id)
            {
                await DisownAsync(claimed, code.AuthorizerAppId, cancellationToken);
                await db.ExchangedAuthCodes.Where(c => c.CodeHash == codeHash)
                    .ExecuteUpdateAsync(u => u.SetProperty(c => c.AttemptId, attempt == null ? null : attempt.Id), cancellationToken);
                code = code with { AttemptId = attempt?.Id };
            }

            if (attempt is not null)
            {
                await db.InviteAttempts.Where(a => a.Id == attempt.Id && a.AuthCodeHash == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(a => a.AuthCodeHash, codeHash).SetProperty(a => a.ConsumedAt, time.GetUtcNow()), cancellationToken);
                var current = await db.InviteAttempts.AsNoTracking().FirstAsync(a => a.Id == attempt.Id, cancellationToken);
                if (current.AuthCodeHash != codeHash)
                {
                    // The attempt's redirect presented another code: that one was not this attempt's.
                    await DisownAsync(attempt.Id, null, cancellationToken);
                }
            }
        }

        if (attempt is not null)
        {
            await LinkAsync(attempt.InviteId, attempt.Id, code.AuthorizerAppId, Actor.WeChat, cancellationToken);
        }
        else
        {
            await RefreshBindingStateAsync(code.AuthorizerAppId, "authorization changed at WeChat", cancellationToken);
        }
    }

    private static bool BelongsTo(ExchangedCode code, InviteAttempt attempt)
        => code.AttemptId == attempt.Id && (code.PreAuthCodeHash is null || code.PreAuthCodeHash == attempt.PreAuthCodeHash);

    /// <summary>
    /// Undoes what an attempt linked with a code WeChat's push attributes to another pre_auth_code: the shop gets back
    /// the account and state it had before, the invitation fails with <c>code_mismatch</c>, and ops are told.
    /// </summary>
    private async Task DisownAsync(long attemptId, string? appId, CancellationToken cancellationToken)
    {
        var linkLease = await EnterLinkGateAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var attempt = await db.InviteAttempts.Include(a => a.Invite).ThenInclude(i => i!.Shop).ThenInclude(s => s!.Binding)
                .FirstAsync(a => a.Id == attemptId, cancellationToken);
            var invite = attempt.Invite!;
            var linkedAppId = appId ?? invite.ResultAuthorizerAppId;
            var now = time.GetUtcNow();
            if (invite.Status == InviteStatus.Completed && linkedAppId is not null && invite.ResultAuthorizerAppId == linkedAppId
                && invite.Shop!.Binding is { } binding
                && await db.Authorizers.Where(a => a.AppId == linkedAppId).Select(a => (int?)a.Id).FirstOrDefaultAsync(cancellationToken) == binding.AuthorizerId)
            {
                binding.AuthorizerId = attempt.ReplacedAuthorizerId;
                Transition(db, binding, linkedAppId, attempt.ReplacedState ?? BindingState.Unbound,
                    "link undone: WeChat attributes the authorization code to another authorization attempt", Actor.WeChat);
            }

            if (invite.Status != InviteStatus.Failed)
            {
                Fail(invite, CodeMismatch, "authorization code not produced by this attempt", now);
                invite.ResultAuthorizerAppId = null;
            }

            audit.Add(db, Actor.WeChat, "security.code_mismatch", $"shop:{invite.ShopId}", $"invite {invite.Id:N}; attempt {attempt.Id}");
            await db.SaveChangesAsync(cancellationToken);
            LogCodeDisowned(logger, invite.Id, attempt.Id);
        }
        finally
        {
            await ExitLinkGateAsync(linkLease);
        }
    }

    /// <summary>An <c>unauthorized</c> push: the binding becomes revoked, the tokens are deleted, the history stays.</summary>
    public async Task RevokeAsync(string appId, CancellationToken cancellationToken)
    {
        var linkLease = await EnterLinkGateAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var authorizer = await db.Authorizers.Include(a => a.Token).FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken);
            if (authorizer is null)
            {
                return;
            }

            authorizer.IsAuthorized = false;
            if (authorizer.Token is not null)
            {
                db.AuthorizerTokens.Remove(authorizer.Token);
            }

            foreach (var binding in await db.Bindings.Where(b => b.AuthorizerId == authorizer.Id && b.State != BindingState.Revoked).ToListAsync(cancellationToken))
            {
                Transition(db, binding, appId, BindingState.Revoked, "the account cancelled the authorization (unauthorized)", Actor.WeChat);
            }

            audit.Add(db, Actor.WeChat, "authorizer.unauthorized", $"authorizer:{appId}", "tokens deleted");
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            finally
            {
                // The token API refuses this appid from the next request on (other instances: the database's notification).
                tokenCache.AuthorizerChanged(appId);
            }

            LogRevoked(logger, appId);
        }
        finally
        {
            await ExitLinkGateAsync(linkLease);
        }
    }

    private async Task LinkAsync(Guid inviteId, long attemptId, string appId, Actor actor, CancellationToken cancellationToken)
    {
        var linkLease = await EnterLinkGateAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var invite = await db.Invites.Include(i => i.Shop).ThenInclude(s => s!.Binding).FirstAsync(i => i.Id == inviteId, cancellationToken);
            if (invite.Status != InviteStatus.Open)
            {
                return;
            }

            var authorizer = await db.Authorizers.Include(a => a.Permissions).FirstAsync(a => a.AppId == appId, cancellationToken);
            var now = time.GetUtcNow();
            if (!authorizer.IsAuthorized)
            {
                // Revoked between the exchange and now (or an old code of a revoked account): never linked.
                Refuse(db, invite, "authorization_revoked", appId, appId, actor, now);
                audit.Add(db, actor, "invite.refused", $"shop:{invite.ShopId}", $"{appId} is not authorized (revoked)");
            }
            else if (invite.BizAppId is { } only && only != appId)
            {
                Refuse(db, invite, "biz_appid_mismatch", $"invitation is for {only}; {appId} was authorized", appId, actor, now);
                audit.Add(db, actor, "invite.refused", $"shop:{invite.ShopId}", invite.FailureDetail);
            }
            else if (await db.Bindings.Include(b => b.Shop)
                         .Where(b => b.AuthorizerId == authorizer.Id && b.ShopId != invite.ShopId && b.State != BindingState.Revoked && b.State != BindingState.Unbound)
                         .FirstOrDefaultAsync(cancellationToken) is { } other)
            {
                Refuse(db, invite, "bound_to_other_shop", other.Shop!.Name, appId, actor, now);
                audit.Add(db, actor, "invite.refused", $"shop:{invite.ShopId}", $"{appId} is already bound to shop {other.ShopId}");
            }
            else
            {
                var binding = invite.Shop!.Binding ??= new Binding { ShopId = invite.ShopId, State = BindingState.Unbound, UpdatedAt = now };
                var previous = binding.AuthorizerId;
                var attempt = await db.InviteAttempts.FirstAsync(a => a.Id == attemptId, cancellationToken);
                attempt.ReplacedAuthorizerId = previous;
                attempt.ReplacedState = binding.State;
                binding.AuthorizerId = authorizer.Id;
                var reason = previous is null || previous == authorizer.Id
                    ? $"authorized through invitation {invite.Id:N}"
                    : $"authorized through invitation {invite.Id:N}, replacing the previously bound account";
                Transition(db, binding, appId, StateFor(authorizer), reason, actor);
                invite.Status = InviteStatus.Completed;
                invite.CompletedAt = now;
                audit.Add(db, actor, "binding.linked", $"shop:{invite.ShopId}", $"authorizer {appId}; {authorizer.Permissions.Count} permission sets");
            }

            invite.ResultAuthorizerAppId = appId;
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            await ExitLinkGateAsync(linkLease);
        }
    }

    /// <summary>After a grant without an invitation (permissions changed at WeChat, or re-authorized elsewhere).</summary>
    private async Task RefreshBindingStateAsync(string appId, string reason, CancellationToken cancellationToken)
    {
        var linkLease = await EnterLinkGateAsync(cancellationToken);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var authorizer = await db.Authorizers.Include(a => a.Permissions).FirstAsync(a => a.AppId == appId, cancellationToken);
            foreach (var binding in await db.Bindings.Where(b => b.AuthorizerId == authorizer.Id).ToListAsync(cancellationToken))
            {
                var target = StateFor(authorizer);
                if (binding.State != target)
                {
                    Transition(db, binding, appId, target, reason, Actor.WeChat);
                }
            }

            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            await ExitLinkGateAsync(linkLease);
        }
    }

    // ---- results and helpers --------------------------------------------------------------------------------------------

    public async Task<CompletionResult> ResultAsync(Guid inviteId, string token, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invite = await db.Invites.AsNoTracking().Include(i => i.Shop).FirstAsync(i => i.Id == inviteId, cancellationToken);
        var authorizer = await db.Authorizers.AsNoTracking().Include(a => a.Permissions).FirstAsync(a => a.AppId == invite.ResultAuthorizerAppId, cancellationToken);
        var required = onboarding.CurrentValue.RequiredFor(authorizer.Kind);
        var granted = authorizer.Permissions.OrderBy(p => p.SetId)
            .Select(p => new GrantedSet(FuncScopeCatalog.Get(p.SetId), p.NeedConfirm, p.AlreadyConfirm, p.CanConfirm, required.Contains(p.SetId)))
            .ToList();
        var missing = required.Where(id => authorizer.Permissions.All(p => p.SetId != id)).Select(FuncScopeCatalog.Get).ToList();
        var view = new AuthorizerView(authorizer.AppId, authorizer.Kind, authorizer.NickName, authorizer.HeadImg, authorizer.UserName, authorizer.PrincipalName, authorizer.VerifyType, authorizer.AccountStatus, authorizer.LastSyncedAt is not null);
        // The account this authorization replaced on the store, so the result can say so (never a silent swap).
        var replaced = invite.Status != InviteStatus.Completed ? null : await db.InviteAttempts.AsNoTracking()
            .Where(a => a.InviteId == inviteId && a.ReplacedAuthorizerId != null && a.ReplacedAuthorizerId != authorizer.Id)
            .Join(db.Authorizers, a => a.ReplacedAuthorizerId, x => x.Id, (_, x) => new AccountName(x.AppId, x.NickName))
            .FirstOrDefaultAsync(cancellationToken);
        return new CompletionResult(
            invite.Status == InviteStatus.Completed ? CompletionStatus.Linked : CompletionStatus.Conflict,
            invite.Shop!.Name, view, granted, missing, invite.FailureCode, invite.FailureDetail, token, replaced);
    }

    private BindingState StateFor(Authorizer authorizer)
        => onboarding.CurrentValue.RequiredFor(authorizer.Kind).All(id => authorizer.Permissions.Any(p => p.SetId == id))
            ? BindingState.Active
            : BindingState.PermissionsMissing;

    private void Transition(PortalDbContext db, Binding binding, string? appId, BindingState to, string reason, Actor actor)
        => BindingTransition.Apply(db, audit, binding, appId, to, reason, actor, time.GetUtcNow());

    private async Task<Invite> LoadInviteAsync(string? token, CancellationToken cancellationToken)
    {
        var key = tokens.Read(token) ?? throw InviteInvalid();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invites = db.Invites.AsNoTracking().Include(i => i.Shop);
        var invite = key.TokenHash is { } hash
            ? await invites.FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken)
            : await invites.FirstOrDefaultAsync(i => i.Id == key.LegacyId && i.TokenHash == null, cancellationToken);
        return invite ?? throw InviteInvalid();
    }

    private async Task<InviteAttempt?> FindAttemptAsync(Guid inviteId, string? attemptToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(attemptToken) || attemptToken.Length > 100)
        {
            return null;
        }

        var hash = InviteTokens.Hash(attemptToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.InviteAttempts.AsNoTracking().FirstOrDefaultAsync(a => a.TokenHash == hash && a.InviteId == inviteId, cancellationToken);
    }

    private void EnsureOpen(Invite invite)
    {
        if (invite.Status != InviteStatus.Open)
        {
            throw InviteUsed();
        }

        if (invite.ExpiresAt <= time.GetUtcNow())
        {
            throw InviteExpired();
        }
    }

    private static void Fail(Invite invite, string code, string detail, DateTimeOffset now)
    {
        invite.Status = InviteStatus.Failed;
        invite.FailureCode = code;
        invite.FailureDetail = detail;
        invite.CompletedAt = now;
    }

    /// <summary>
    /// Ends the invitation as refused and writes the refusal into the store's history (the binding itself is unchanged),
    /// so the store page says why, not only the ops audit log. The reason is a stable code the UI words.
    /// </summary>
    private static void Refuse(PortalDbContext db, Invite invite, string code, string detail, string appId, Actor actor, DateTimeOffset now)
    {
        Fail(invite, code, detail, now);
        var state = invite.Shop?.Binding?.State ?? BindingState.Unbound;
        db.BindingEvents.Add(new BindingEvent { ShopId = invite.ShopId, AuthorizerAppId = appId, FromState = state, ToState = state, Reason = RefusedPrefix + code, Actor = actor.Name, At = now });
    }

    /// <summary>The history reason of a refused authorization: this prefix and the refusal's code.</summary>
    public const string RefusedPrefix = "refused:";

    private static InviteView ToView(Invite invite)
        => new(invite.Id, invite.ShopId, invite.Shop?.Name ?? string.Empty, invite.AuthType is { } t ? (AuthType)t : null, invite.BizAppId, ParseSets(invite.CategoryIds), invite.ExpiresAt, invite.Status, invite.ResultAuthorizerAppId);

    private static List<int> ParseSets(string? sets)
        => string.IsNullOrEmpty(sets) ? [] : sets.Split('|').Select(int.Parse).ToList();

    public static PortalException InviteInvalid() => new(FailureCode.InviteInvalid);

    public static PortalException InviteExpired() => new(FailureCode.InviteExpired);

    public static PortalException InviteUsed() => new(FailureCode.InviteUsed);

    public static PortalException AttemptInvalid() => new(FailureCode.AttemptInvalid);

    public static PortalException AttemptExpired() => new(FailureCode.AttemptExpired);

    public static PortalException CodeRefused() => new(FailureCode.CodeRefused);

    public static PortalException Forbidden() => new(FailureCode.Forbidden);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Callback for invitation {InviteId} refused: the authorization code does not belong to its attempt")]
    private static partial void LogCodeRefused(ILogger logger, Guid inviteId);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Link through invitation {InviteId} (attempt {AttemptId}) undone: WeChat attributes the code to another attempt")]
    private static partial void LogCodeDisowned(ILogger logger, Guid inviteId, long attemptId);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Authorization of {AuthorizerAppId} cancelled at WeChat; binding revoked, tokens deleted")]
    private static partial void LogRevoked(ILogger logger, string authorizerAppId);
}
