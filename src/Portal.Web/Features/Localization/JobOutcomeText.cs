using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Data.Entities;

namespace Portal.Web.Features.Localization;

/// <summary>A job run's outcome code and its numbers, in the reader's language.</summary>
public static class JobOutcomeText
{
    public static string Outcome(this IStringLocalizer texts, JobRun run) => texts.Outcome(run.Outcome, run.OutcomeArgs ?? new JobOutcomeArgs());

    public static string Outcome(this IStringLocalizer texts, JobOutcomeCode code, JobOutcomeArgs a) => code switch
    {
        JobOutcomeCode.None => "",
        JobOutcomeCode.Unrecorded => texts["outcome.unrecorded"],
        JobOutcomeCode.Failed => texts["outcome.run_failed", Failure(texts, a)],
        JobOutcomeCode.SkippedAlreadyRunning => texts["outcome.skipped_running"],
        JobOutcomeCode.SkippedOtherInstance => texts["outcome.skipped_other_instance"],
        JobOutcomeCode.InterruptedByShutdown => texts["outcome.interrupted"],
        JobOutcomeCode.ResumedAfterStop => texts["outcome.resumed"],
        JobOutcomeCode.SweepNothingDue => texts["outcome.sweep.none"],
        JobOutcomeCode.SweepDone => texts["outcome.sweep", a.Due ?? 0, Counts(texts, a), ((a.ElapsedMs ?? 0) / 1000.0).ToString("0.0", CultureInfo.CurrentCulture)],
        JobOutcomeCode.Refresh => texts["outcome." + (a.Refresh ?? "Failed")],
        JobOutcomeCode.Resynced => texts["outcome.Resynced"],
        JobOutcomeCode.ResyncFailed => texts["outcome.ResyncFailed"],
        JobOutcomeCode.NoTicket => texts["outcome.no_ticket"],
        JobOutcomeCode.ComponentTokenValid => texts["outcome.component_valid", When(a.Until)],
        JobOutcomeCode.ComponentTokenRenewed => texts["outcome.component_renewed", When(a.Until)],
        JobOutcomeCode.TicketFresh => texts["outcome.ticket_fresh", a.Minutes ?? 0],
        JobOutcomeCode.TicketMissing => a.Minutes is { } minutes ? texts["outcome.ticket_missing", minutes] : texts["outcome.ticket_never"],
        JobOutcomeCode.Reconciled => texts["outcome.reconciled", a.AtWeChat ?? 0, a.Here ?? 0, a.UnknownHere ?? 0, a.GoneThere ?? 0, a.Repaired ?? 0, a.DetailsSynced ?? 0],
        JobOutcomeCode.Purged => texts["outcome.purged", a.Deleted ?? 0, When(a.Until)],
        _ => code.ToString(),
    };

    private static string Failure(IStringLocalizer texts, JobOutcomeArgs a) => a switch
    {
        { Api: { } api, ErrCode: { } errCode } => texts.StoredFailure(StoredFailure.WeChat(api, errCode))!,
        { Failure: { } code } => texts.StoredFailure(new StoredFailure(FailureKind.Portal, Code: code))!,
        _ => texts.StoredFailure(new StoredFailure(FailureKind.Unexpected, Code: a.Error))!,
    };

    private static string Counts(IStringLocalizer texts, JobOutcomeArgs a)
    {
        (string Key, int? Count)[] parts =
        [
            ("Refreshed", a.Refreshed), ("Recovered", a.Recovered), ("Busy", a.Busy), ("NotDue", a.NotDue), ("Failed", a.RefreshFailed),
            ("NeedsReauthorization", a.NeedsReauthorization), ("Revoked", a.Revoked), ("QuotaPaused", a.QuotaPaused), ("Gone", a.Gone),
        ];
        return string.Join(texts["list.separator"], parts.Where(p => p.Count > 0).Select(p => texts["outcome.count", texts["outcome." + p.Key], p.Count!.Value].Value));
    }

    private static string When(DateTimeOffset? at) => at?.ToLocalTime().ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "—";
}
