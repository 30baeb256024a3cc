using Microsoft.Extensions.Localization;
using Portal.Data.Entities;

namespace Portal.Web.Features.Onboarding.Pages;

/// <summary>A store's history in the reader's words: what the transition means and who made it, never the stored reason.</summary>
public static class HistoryText
{
    public static string Describe(IStringLocalizer texts, BindingEvent e) => e.Reason.StartsWith(OnboardingService.RefusedPrefix, StringComparison.Ordinal)
        ? Refused(texts, e)
        : (e.FromState, e.ToState) switch
    {
        (_, BindingState.Invited) => texts["history.invited"],
        (_, BindingState.Authorizing) => texts["history.authorizing"],
        (BindingState.Invited or BindingState.Authorizing, BindingState.Unbound) => texts["history.undone"],
        (_, BindingState.Active) => texts["history.active", e.AuthorizerAppId ?? "—"],
        (_, BindingState.PermissionsMissing) => texts["history.missing", e.AuthorizerAppId ?? "—"],
        (_, BindingState.Revoked) => texts["history.revoked", e.AuthorizerAppId ?? "—"],
        (_, BindingState.NeedsReauthorization) => texts["history.reauth", e.AuthorizerAppId ?? "—"],
        _ => texts["history.other", texts["state." + e.ToState]],
    };

    private static string Refused(IStringLocalizer texts, BindingEvent e)
    {
        var specific = texts["history.refused." + e.Reason[OnboardingService.RefusedPrefix.Length..], e.AuthorizerAppId ?? "—"];
        return specific.ResourceNotFound ? texts["history.refused", e.AuthorizerAppId ?? "—"] : specific;
    }

    public static string Who(IStringLocalizer texts, string? actor) => actor switch
    {
        null or "" => texts["who.system"],
        "system" => texts["who.system"],
        "wechat" => texts["who.wechat"],
        "invitee" => texts["who.invitee"],
        _ => actor,
    };
}
