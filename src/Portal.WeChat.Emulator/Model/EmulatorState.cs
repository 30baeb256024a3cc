using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Portal.WeChat.Emulator.Model;

/// <summary>
/// Everything WeChat remembers, in memory, behind one lock: tickets, tokens, codes, authorizations, quotas, the call
/// and push records and the fault rules. Every protocol rule of reference §3 and §4 is decided here.
/// </summary>
public sealed class EmulatorState
{
    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const int MaxRecords = 20_000;

    private readonly object _gate = new();
    private readonly IOptionsMonitor<EmulatorOptions> _options;
    private readonly TimeProvider _time;

    private readonly Dictionary<string, EmulatedAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _tickets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset ExpiresAt, DateTimeOffset? SupersededAt)> _componentTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset ExpiresAt, bool Used)> _preAuthCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string AppId, DateTimeOffset ExpiresAt, bool Used)> _authCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Authorization> _authorizations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string AppId, DateTimeOffset ExpiresAt)> _authorizerTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Api, string Scope), (DateOnly Day, int Count)> _quota = new();
    private readonly Queue<CallRecord> _calls = new();
    private readonly Queue<PushRecord> _pushes = new();
    private readonly Queue<CustomMessage> _customMessages = new();
    private readonly List<FaultRule> _faults = [];
    private (int Month, int Count) _quotaClears;
    private string? _currentTicket;
    private DateTimeOffset _currentTicketIssuedAt;
    private string? _currentComponentToken;
    private long _sequence;

    public EmulatorState(IOptionsMonitor<EmulatorOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
        Reset();
    }

    public EmulatorOptions Options => _options.CurrentValue;

    public DateTimeOffset Now => _time.GetUtcNow();

    public bool TicketPushesEnabled { get; set; } = true;

    /// <summary>Set at run time through the admin API; null falls back to the options.</summary>
    public RefreshTokenMode? RefreshTokenModeOverride { get; set; }

    /// <summary>Set at run time through the admin API; null falls back to the options.</summary>
    public AuthorizationPushTiming? PushTimingOverride { get; set; }

    public RefreshTokenMode EffectiveRefreshTokenMode => RefreshTokenModeOverride ?? Options.RefreshTokenMode;

    public AuthorizationPushTiming EffectivePushTiming => PushTimingOverride ?? Options.AuthorizationPushTiming;

    /// <summary>Forgets everything and seeds the accounts again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _accounts.Clear();
            foreach (var account in SeedAccounts.Create())
            {
                _accounts[account.AppId] = account;
            }

            _tickets.Clear();
            _componentTokens.Clear();
            _preAuthCodes.Clear();
            _authCodes.Clear();
            _authorizations.Clear();
            _authorizerTokens.Clear();
            _quota.Clear();
            _calls.Clear();
            _pushes.Clear();
            _customMessages.Clear();
            _faults.Clear();
            _quotaClears = default;
            _currentTicket = null;
            _currentComponentToken = null;
            TicketPushesEnabled = true;
            RefreshTokenModeOverride = null;
            PushTimingOverride = null;
        }
    }

    // ---- accounts -----------------------------------------------------------------------------------------------

    public IReadOnlyList<EmulatedAccount> Accounts
    {
        get
        {
            lock (_gate)
            {
                return _accounts.Values.ToList();
            }
        }
    }

    public EmulatedAccount? FindAccount(string? appId)
    {
        lock (_gate)
        {
            return appId is not null && _accounts.TryGetValue(appId, out var account) ? account : null;
        }
    }

    public void SetAccountStatus(string appId, int status)
    {
        lock (_gate)
        {
            (FindAccount(appId) ?? throw new KeyNotFoundException(appId)).AccountStatus = status;
        }
    }

    /// <summary>Creates <paramref name="count"/> synthetic authorized mini programs (for benchmarks); returns appid and refresh token.</summary>
    public IReadOnlyList<(string AppId, string RefreshToken)> SeedSyntheticAuthorizations(int count, string prefix)
    {
        if (prefix.Length is < 1 or > 8 || !prefix.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("prefix must be 1 to 8 lowercase hex digits", nameof(prefix));
        }

        var created = new List<(string, string)>(count);
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var appId = "wx" + prefix + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(16 - prefix.Length, '0');
                var account = new EmulatedAccount { AppId = appId, UserName = "gh_" + appId[2..14], NickName = $"Synthetic {i}", IsMiniProgram = true, PrincipalName = "Benchmark Co.", IsSynthetic = true };
                _accounts[appId] = account;
                var refresh = NewRefreshToken();
                _authorizations[appId] = new Authorization { AppId = appId, RefreshToken = refresh, FuncInfo = [17, 18, 19], AuthTime = Now };
                created.Add((appId, refresh));
            }
        }

        return created;
    }

    // ---- ticket ---------------------------------------------------------------------------------------------------

    /// <summary>The ticket to push now: the current one, or a new one when the rotation interval has passed.</summary>
    public string NextTicketForPush()
    {
        lock (_gate)
        {
            if (_currentTicket is null || Now - _currentTicketIssuedAt >= Options.TicketRotationInterval)
            {
                _currentTicket = "ticket@@@" + RandomNumberGenerator.GetString(TokenAlphabet, 86);
                _currentTicketIssuedAt = Now;
                _tickets[_currentTicket] = Now;
            }

            return _currentTicket;
        }
    }

    public (string? Value, DateTimeOffset IssuedAt) CurrentTicket
    {
        get
        {
            lock (_gate)
            {
                return (_currentTicket, _currentTicketIssuedAt);
            }
        }
    }

    // ---- component token -------------------------------------------------------------------------------------------

    public (string Token, int ExpiresIn) IssueComponentToken(string? appId, string? secret, string? ticket)
    {
        lock (_gate)
        {
            CheckComponentCredentials(appId, secret, appIdMissing: ApiError.AppIdMissing, secretMissing: ApiError.AppSecretMissing);
            if (string.IsNullOrEmpty(ticket) || !_tickets.TryGetValue(ticket, out var issuedAt))
            {
                throw ApiError.TicketInvalid();
            }

            if (Now - issuedAt >= Options.TicketLifetime)
            {
                throw ApiError.TicketExpired();
            }

            if (_currentComponentToken is not null && _componentTokens.TryGetValue(_currentComponentToken, out var previous))
            {
                _componentTokens[_currentComponentToken] = (previous.ExpiresAt, Now);
            }

            var token = $"{RandomNumberGenerator.GetInt32(10, 99)}_{RandomNumberGenerator.GetString(TokenAlphabet, 120)}";
            _componentTokens[token] = (Now + Options.ComponentTokenLifetime, null);
            _currentComponentToken = token;
            return (token, (int)Options.ComponentTokenLifetime.TotalSeconds);
        }
    }

    /// <summary>40001 for an unknown or superseded (past grace) token, 42001 for an expired one.</summary>
    public void CheckComponentToken(string? token)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw ApiError.AccessTokenMissing();
            }

            if (!_componentTokens.TryGetValue(token, out var entry))
            {
                throw ApiError.InvalidCredential();
            }

            if (entry.SupersededAt is { } superseded && Now >= superseded + Options.ComponentTokenGracePeriod)
            {
                throw ApiError.InvalidCredential();
            }

            if (Now >= entry.ExpiresAt)
            {
                throw ApiError.AccessTokenExpired();
            }
        }
    }

    public void CheckComponentAppId(string? appId)
    {
        if (string.IsNullOrEmpty(appId))
        {
            throw ApiError.ComponentAppIdMissing();
        }

        if (!string.Equals(appId, Options.ComponentAppId, StringComparison.Ordinal))
        {
            throw ApiError.InvalidComponent();
        }
    }

    public void CheckComponentCredentials(string? appId, string? secret, Func<ApiError> appIdMissing, Func<ApiError> secretMissing)
    {
        if (string.IsNullOrEmpty(appId))
        {
            throw appIdMissing();
        }

        if (!string.Equals(appId, Options.ComponentAppId, StringComparison.Ordinal))
        {
            throw ApiError.InvalidAppId();
        }

        if (string.IsNullOrEmpty(secret))
        {
            throw secretMissing();
        }

        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(Options.ComponentAppSecret)))
        {
            throw ApiError.InvalidAppSecret();
        }
    }

    // ---- pre-auth and auth codes ------------------------------------------------------------------------------------

    public (string Code, int ExpiresIn) IssuePreAuthCode()
    {
        lock (_gate)
        {
            var code = "preauthcode@@@" + RandomNumberGenerator.GetString(TokenAlphabet, 64);
            _preAuthCodes[code] = (Now + Options.PreAuthCodeLifetime, false);
            return (code, (int)Options.PreAuthCodeLifetime.TotalSeconds);
        }
    }

    /// <summary>The page's view of a pre_auth_code: null when usable, else the page error (-11 invalid/expired, -28 used).</summary>
    public (int Code, string Message)? CheckPreAuthCode(string preAuthCode)
    {
        lock (_gate)
        {
            if (!_preAuthCodes.TryGetValue(preAuthCode, out var entry) || Now >= entry.ExpiresAt)
            {
                return (-11, "PreAuthCode无效");
            }

            return entry.Used ? (-28, "预授权码已经被授权过，不能重复使用") : null;
        }
    }

    /// <summary>
    /// The administrator confirmed: consumes the pre_auth_code, creates or updates the authorization (a new refresh
    /// token each time: re-authorization invalidates the old one), and mints a single-use authorization code.
    /// </summary>
    public AuthorizationGrant ConfirmAuthorization(string preAuthCode, string appId, IReadOnlyCollection<int> requestedSets)
    {
        lock (_gate)
        {
            if (CheckPreAuthCode(preAuthCode) is { } problem)
            {
                throw new InvalidOperationException($"{problem.Code} {problem.Message}");
            }

            var account = FindAccount(appId) ?? throw new KeyNotFoundException(appId);
            _preAuthCodes[preAuthCode] = (_preAuthCodes[preAuthCode].ExpiresAt, true);
            var granted = requestedSets.Where(id => !account.HeldByOtherPlatform.Contains(id)).Distinct().Order().ToList();
            var isUpdate = _authorizations.TryGetValue(appId, out var existing) && existing.Active;
            var authorization = existing ?? new Authorization { AppId = appId, RefreshToken = string.Empty, FuncInfo = [], AuthTime = Now };
            authorization.RefreshToken = NewRefreshToken();
            authorization.FuncInfo = granted;
            authorization.AuthTime = Now;
            authorization.Active = true;
            _authorizations[appId] = authorization;
            var code = MintAuthCodeLocked(appId);
            return new AuthorizationGrant(appId, code.Code, code.ExpiresAt, preAuthCode, isUpdate, granted);
        }
    }

    /// <summary>An authorization code for an already authorized account (the release test's QUERY_AUTH_CODE).</summary>
    public (string Code, DateTimeOffset ExpiresAt) MintAuthCode(string appId)
    {
        lock (_gate)
        {
            return MintAuthCodeLocked(appId);
        }
    }

    public Authorization ExchangeAuthCode(string? code)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(code) || !_authCodes.TryGetValue(code, out var entry) || entry.Used)
            {
                throw ApiError.InvalidCode();
            }

            if (Now >= entry.ExpiresAt)
            {
                throw ApiError.CodeExpired();
            }

            _authCodes[code] = entry with { Used = true };
            if (!_authorizations.TryGetValue(entry.AppId, out var authorization) || !authorization.Active)
            {
                throw ApiError.NotAuthorized();
            }

            return authorization;
        }
    }

    private (string Code, DateTimeOffset ExpiresAt) MintAuthCodeLocked(string appId)
    {
        var code = "queryauthcode@@@" + RandomNumberGenerator.GetString(TokenAlphabet, 64);
        var expiresAt = Now + Options.AuthCodeLifetime;
        _authCodes[code] = (appId, expiresAt, false);
        return (code, expiresAt);
    }

    // ---- authorizations and authorizer tokens --------------------------------------------------------------------------

    public (string Token, int ExpiresIn) IssueAuthorizerToken(string appId)
    {
        lock (_gate)
        {
            var token = $"{RandomNumberGenerator.GetInt32(10, 99)}_{RandomNumberGenerator.GetString(TokenAlphabet, 110)}";
            _authorizerTokens[token] = (appId, Now + Options.AuthorizerTokenLifetime);
            return (token, (int)Options.AuthorizerTokenLifetime.TotalSeconds);
        }
    }

    /// <summary>api_authorizer_token: 61003 when not authorized, 61023 on a wrong refresh token; rotates per the mode.</summary>
    public (string AccessToken, int ExpiresIn, string RefreshToken) RefreshAuthorizerToken(string? appId, string? refreshToken)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(appId) || !_authorizations.TryGetValue(appId, out var authorization) || !authorization.Active)
            {
                throw ApiError.NotAuthorized();
            }

            if (string.IsNullOrEmpty(refreshToken) || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(refreshToken), System.Text.Encoding.UTF8.GetBytes(authorization.RefreshToken)))
            {
                throw ApiError.RefreshTokenInvalid();
            }

            if (EffectiveRefreshTokenMode == RefreshTokenMode.Rotate)
            {
                authorization.RefreshToken = NewRefreshToken();
            }

            var (token, expiresIn) = IssueAuthorizerToken(appId);
            return (token, expiresIn, authorization.RefreshToken);
        }
    }

    /// <summary>The authorizer an access token belongs to: 40001 unknown, 42001 expired, 61003 revoked since.</summary>
    public string CheckAuthorizerToken(string? token)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(token))
            {
                throw ApiError.AccessTokenMissing();
            }

            if (!_authorizerTokens.TryGetValue(token, out var entry))
            {
                throw ApiError.InvalidCredential();
            }

            if (Now >= entry.ExpiresAt)
            {
                throw ApiError.AccessTokenExpired();
            }

            if (!_authorizations.TryGetValue(entry.AppId, out var authorization) || !authorization.Active)
            {
                throw ApiError.InvalidCredential();
            }

            return entry.AppId;
        }
    }

    public Authorization GetActiveAuthorization(string? appId)
    {
        lock (_gate)
        {
            if (string.IsNullOrEmpty(appId) || !_authorizations.TryGetValue(appId, out var authorization) || !authorization.Active)
            {
                throw ApiError.NotAuthorized();
            }

            return authorization;
        }
    }

    public Authorization? FindAuthorization(string appId)
    {
        lock (_gate)
        {
            return _authorizations.TryGetValue(appId, out var authorization) ? authorization : null;
        }
    }

    public (int Total, IReadOnlyList<Authorization> Page) ListAuthorizations(int offset, int count)
    {
        lock (_gate)
        {
            var active = _authorizations.Values.Where(a => a.Active).OrderBy(a => a.AuthTime).ThenBy(a => a.AppId, StringComparer.Ordinal).ToList();
            return (active.Count, active.Skip(Math.Max(0, offset)).Take(count).ToList());
        }
    }

    /// <summary>The administrator cancelled: the refresh token and every access token stop working (61003).</summary>
    public bool Revoke(string appId)
    {
        lock (_gate)
        {
            if (!_authorizations.TryGetValue(appId, out var authorization) || !authorization.Active)
            {
                return false;
            }

            authorization.Active = false;
            authorization.RefreshToken = NewRefreshToken();
            foreach (var token in _authorizerTokens.Where(t => t.Value.AppId == appId).Select(t => t.Key).ToList())
            {
                _authorizerTokens.Remove(token);
            }

            return true;
        }
    }

    /// <summary>The administrator changed the granted sets without the portal: returns a new code for the push.</summary>
    public AuthorizationGrant ChangeGrantedSets(string appId, IReadOnlyCollection<int> sets)
    {
        lock (_gate)
        {
            var authorization = GetActiveAuthorization(appId);
            var account = FindAccount(appId)!;
            authorization.FuncInfo = sets.Where(id => !account.HeldByOtherPlatform.Contains(id)).Distinct().Order().ToList();
            var code = MintAuthCodeLocked(appId);
            return new AuthorizationGrant(appId, code.Code, code.ExpiresAt, null, IsUpdate: true, authorization.FuncInfo);
        }
    }

    public void SetOption(Authorization authorization, string name, string value)
    {
        lock (_gate)
        {
            authorization.Options[name] = value;
        }
    }

    // ---- quotas ---------------------------------------------------------------------------------------------------------

    /// <summary>Counts one call of <paramref name="api"/> for <paramref name="scope"/> (the component or an authorizer); 45009 past the limit.</summary>
    public void CountQuota(string api, string scope)
    {
        lock (_gate)
        {
            if (!Options.DailyQuotas.TryGetValue(api, out var limit) || limit <= 0)
            {
                return;
            }

            var today = BeijingDay();
            var key = (api, scope);
            var current = _quota.TryGetValue(key, out var entry) && entry.Day == today ? entry.Count : 0;
            if (current >= limit)
            {
                throw ApiError.QuotaExceeded();
            }

            _quota[key] = (today, current + 1);
        }
    }

    public void ClearQuota(string scope)
    {
        lock (_gate)
        {
            var month = (Now.ToOffset(TimeSpan.FromHours(8)).Year * 12) + Now.ToOffset(TimeSpan.FromHours(8)).Month;
            var used = _quotaClears.Month == month ? _quotaClears.Count : 0;
            if (used >= Options.MonthlyQuotaClears)
            {
                throw ApiError.QuotaClearLimit();
            }

            _quotaClears = (month, used + 1);
            foreach (var key in _quota.Keys.Where(k => k.Scope == scope).ToList())
            {
                _quota.Remove(key);
            }
        }
    }

    private DateOnly BeijingDay() => DateOnly.FromDateTime(Now.ToOffset(TimeSpan.FromHours(8)).DateTime);

    // ---- records and faults -----------------------------------------------------------------------------------------------

    public void RecordCall(string api, string clientIp, IReadOnlyDictionary<string, string> parameters, int errCode, string? note = null)
    {
        lock (_gate)
        {
            Trim(_calls);
            _calls.Enqueue(new CallRecord(++_sequence, Now, api, clientIp, parameters, errCode, note));
        }
    }

    public void RecordPush(string kind, string url, string? appId, int attempt, string outcome, int? status, string? body)
    {
        lock (_gate)
        {
            Trim(_pushes);
            _pushes.Enqueue(new PushRecord(++_sequence, Now, kind, url, appId, attempt, outcome, status, body));
        }
    }

    public void RecordCustomMessage(CustomMessage message)
    {
        lock (_gate)
        {
            Trim(_customMessages);
            _customMessages.Enqueue(message);
        }
    }

    public IReadOnlyList<CallRecord> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToList();
            }
        }
    }

    public IReadOnlyList<PushRecord> Pushes
    {
        get
        {
            lock (_gate)
            {
                return _pushes.ToList();
            }
        }
    }

    public IReadOnlyList<CustomMessage> CustomMessages
    {
        get
        {
            lock (_gate)
            {
                return _customMessages.ToList();
            }
        }
    }

    public void ClearRecords()
    {
        lock (_gate)
        {
            _calls.Clear();
            _pushes.Clear();
            _customMessages.Clear();
        }
    }

    public void AddFault(FaultRule rule)
    {
        lock (_gate)
        {
            _faults.Add(rule);
        }
    }

    public IReadOnlyList<FaultRule> Faults
    {
        get
        {
            lock (_gate)
            {
                return _faults.ToList();
            }
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>The fault to apply to this call or push, if any (consuming one use of a counted rule).</summary>
    public FaultRule? DrawFault(string target)
    {
        lock (_gate)
        {
            foreach (var rule in _faults)
            {
                if (!rule.Matches(target))
                {
                    continue;
                }

                if (rule.RemainingCount is { } remaining)
                {
                    if (remaining <= 1)
                    {
                        _faults.Remove(rule);
                    }
                    else
                    {
                        rule.RemainingCount = remaining - 1;
                    }

                    return rule;
                }

                if (Random.Shared.NextDouble() < rule.Probability)
                {
                    return rule;
                }
            }

            return null;
        }
    }

    private static string NewRefreshToken() => "refreshtoken@@@" + RandomNumberGenerator.GetString(TokenAlphabet, 43);

    private static void Trim<T>(Queue<T> records)
    {
        while (records.Count >= MaxRecords)
        {
            records.Dequeue();
        }
    }
}

/// <summary>What a confirmation produced: the code for the redirect and the push.</summary>
public sealed record AuthorizationGrant(string AppId, string AuthCode, DateTimeOffset ExpiresAt, string? PreAuthCode, bool IsUpdate, IReadOnlyList<int> GrantedSets);
