using Portal.Data.Entities;
using Portal.WeChat.Protocol.Links;
using Portal.WeChat.Protocol.Permissions;

namespace Portal.Web.Features.Onboarding;

/// <summary>What an operator asks for when inviting.</summary>
public sealed record InviteRequest(AuthType? AuthType, string? BizAppId, IReadOnlyList<int> CategoryIds);

public sealed record CreatedInvite(Guid Id, string Token, string LaunchPath, DateTimeOffset ExpiresAt);

/// <summary>An invitation as the launch and callback pages see it.</summary>
public sealed record InviteView(Guid Id, int ShopId, string ShopName, AuthType? AuthType, string? BizAppId, IReadOnlyList<int> CategoryIds, DateTimeOffset ExpiresAt, InviteStatus Status, string? ResultAuthorizerAppId);

/// <summary>A minted authorization link and until when its pre_auth_code works.</summary>
public sealed record LaunchLink(string Url, DateTimeOffset ExpiresAt);

/// <summary>An account as the result page shows it.</summary>
public sealed record AuthorizerView(string AppId, AuthorizerKind Kind, string NickName, string? HeadImg, string UserName, string? PrincipalName, int VerifyType, int AccountStatus, bool DetailsSynced);

public enum CompletionStatus
{
    Linked,
    Conflict,
}

/// <summary>The outcome of an authorization: linked (with what was granted and what is missing) or a conflict.</summary>
public sealed record CompletionResult(
    CompletionStatus Status,
    string ShopName,
    AuthorizerView Authorizer,
    IReadOnlyList<GrantedSet> Granted,
    IReadOnlyList<FuncScope> MissingRequired,
    string? ConflictCode,
    string? ConflictDetail,
    string InviteToken,
    AccountName? Replaced = null);

/// <summary>An account named for people: the one a completed authorization replaced on the store.</summary>
public sealed record AccountName(string AppId, string NickName);

public sealed record GrantedSet(FuncScope Scope, int NeedConfirm, int AlreadyConfirm, int CanConfirm, bool Required);

/// <summary>Who presents an authorization code: the launch attempt whose redirect carried it, or the pre_auth_code WeChat's push named (hashed).</summary>
public sealed record ExchangeClaim(long? AttemptId, string? PreAuthCodeHash);

/// <summary>An exchanged code: the account it authorized and the attempt it is recorded for.</summary>
public sealed record ExchangedCode(string AuthorizerAppId, long? AttemptId, string? PreAuthCodeHash);
