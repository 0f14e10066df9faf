using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// What the model's proposal must be about: the route it may touch, that route's backends (in route order)
/// and the stable backend. CurrentWeights, when known, lets the grammar and parser enforce the SOP's
/// max_step_percent against the route as it is now. An empty Route means the route could not be read: then only
/// escalate and no_action can be expressed. Subjects, when given, are what a reason may be about (the route's backends,
/// the dependency or certificate an alert names): the grammar makes every reason start with one of them, so it always
/// names something of this incident rather than something the model made up.
/// </summary>
public sealed record ProposalContext(
    string Route,
    IReadOnlyList<string> Backends,
    string? StableBackend,
    IReadOnlyDictionary<string, int>? CurrentWeights = null,
    IReadOnlyList<string>? Subjects = null)
{
    /// <summary>For a subject the measurement puts out of bounds, the signals it is out of bounds on ("err", "p99",
    /// "restarts"): a reason about it names one of them next, after "(stable)" for the stable backend. A reason
    /// that blames a backend then says for what, as the fact sheet does.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SubjectSignals { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Subjects a reason can start with: printable ASCII without quotes or backslashes (no JSON escapes), at
    /// most <see cref="ProposalLimits.MaxSubjectLength"/> characters, each once.</summary>
    public IReadOnlyList<string> UsableSubjects =>
        [.. (Subjects ?? []).Where(s => s.Length is > 0 and <= ProposalLimits.MaxSubjectLength && s.All(c => c is >= ' ' and <= '~' and not '"' and not '\\'))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The context of a route as read from the cluster: the workload's backends (across every rule carrying
    /// them) and the primary rule's weights, the ones the loop perceives; policy checks each managed rule itself.</summary>
    public static ProposalContext From(RouteState route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new ProposalContext(
            route.Route.ToString(),
            route.WorkloadBackends(),
            route.StableBackend,
            TrafficPlan.Percentages(route.Weights()).ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal));
    }
}

/// <summary>Limits every proposal obeys, whatever the SOP says; they keep model output short.</summary>
public static class ProposalLimits
{
    /// <summary>Longest reason, in Unicode code points (what GBNF counts).</summary>
    public const int MaxReasonLength = 160;

    /// <summary>Longest subject a reason may start with.</summary>
    public const int MaxSubjectLength = 64;

    /// <summary>Rate-limit range when the SOP gives no bound.</summary>
    public const int MinRequestsPerSecond = 1;
    public const int MaxRequestsPerSecond = 1_000_000;
}
