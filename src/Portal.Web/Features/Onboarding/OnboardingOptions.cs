namespace Portal.Web.Features.Onboarding;

/// <summary>The <c>Onboarding</c> section. The required sets' defaults are in appsettings.json.</summary>
public sealed class OnboardingOptions
{
    public const string SectionName = "Onboarding";

    public RequiredPermissionSetsOptions RequiredPermissionSets { get; set; } = new();

    /// <summary>How long an invitation link stays usable.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// How long after its pre_auth_code expires WeChat's redirect for a launch attempt is still accepted (the
    /// authorization code itself lives about ten minutes).
    /// </summary>
    public TimeSpan AttemptGrace { get; set; } = TimeSpan.FromMinutes(10);

    public IReadOnlyList<int> RequiredFor(Portal.Data.Entities.AuthorizerKind kind)
        => kind == Portal.Data.Entities.AuthorizerKind.MiniProgram ? RequiredPermissionSets.MiniProgram : RequiredPermissionSets.OfficialAccount;
}

public sealed class RequiredPermissionSetsOptions
{
    public int[] OfficialAccount { get; set; } = [];

    public int[] MiniProgram { get; set; } = [];
}
