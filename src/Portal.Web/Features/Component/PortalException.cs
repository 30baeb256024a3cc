namespace Portal.Web.Features.Component;

/// <summary>
/// A typed refusal: a <see cref="FailureCode"/> and the arguments needed to word it. It carries no sentence; the UI
/// words it (<c>ErrorText</c>) and the JSON endpoints answer with <see cref="Code"/>.
/// </summary>
public sealed class PortalException(FailureCode failure, params object[] arguments) : Exception(failure.Machine())
{
    public FailureCode Failure { get; } = failure;

    /// <summary>The stable machine code (<c>forbidden</c>, <c>invite_expired</c>).</summary>
    public string Code => Failure.Machine();

    /// <summary>Counts, limits, names: whatever the wording of <see cref="Failure"/> needs.</summary>
    public IReadOnlyList<object> Arguments { get; } = arguments;
}
