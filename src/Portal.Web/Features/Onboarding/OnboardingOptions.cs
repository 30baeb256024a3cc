namespace Portal.Web.Features.Onboarding;

/// <summary>The <c>Onboarding</c> section. The required sets' defaults are in appsettings.json.</summary>
public sealed class OnboardingOptions
{
    public const string SectionName = "Onboarding";

    public RequiredPermissionSetsOptions RequiredPermissionSets { get; set; } = new();

    /// <summary>How long an invitation link stays usable.</summary>
    public TimeSpan InviteLifetime { get; set; } = TimeSpan.FromDays(3);

    public IReadOnlyList<int> RequiredFor(Portal.Data.Entities.AuthorizerKind kind)
        => kind == Portal.Data.Entities.AuthorizerKind.MiniProgram ? RequiredPermissionSets.MiniProgram : RequiredPermissionSets.OfficialAccount;
}

public sealed class RequiredPermissionSetsOptions
{
    public int[] OfficialAccount { get; set; } = [];

    public int[] MiniProgram { get; set; } = [];
}
