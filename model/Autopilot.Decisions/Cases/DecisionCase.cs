using System.Text.Json.Serialization;

namespace Autopilot.Decisions.Cases;

/// <summary>
/// One labelled decision: what the incident loop knew at triage (alerts, health per backend, the route) and what a
/// good proposal is. The prompt is not stored: it is rendered from these inputs by the real planning path, so a case
/// stays valid when the prompt format changes. Format reference: docs/model.md ("Decision cases").
/// </summary>
public sealed record DecisionCase
{
    /// <summary>Unique within its file, e.g. "heldout-00042" or "hard-stable-also-failing".</summary>
    public required string Id { get; init; }

    /// <summary>generated, hard (hand-written) or exported (from the operator's audit trail).</summary>
    public string Kind { get; init; } = CaseKinds.Generated;

    /// <summary>The SOP that should govern this case (per-SOP figures group by it); null when no SOP covers it.</summary>
    public string? Sop { get; init; }

    /// <summary>Why the case exists or what makes it hard, for the person reading a failure.</summary>
    public string? Note { get; init; }

    /// <summary>The moment of triage; alert and metric times are absolute and read relative to it.</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>"namespace/name" of the workload.</summary>
    public required string Workload { get; init; }

    /// <summary>The route as read at triage; null when it could not be read.</summary>
    public CaseRoute? Route { get; init; }

    public IReadOnlyList<CaseMetric> Metrics { get; init; } = [];

    public required IReadOnlyList<CaseAlert> Alerts { get; init; }

    /// <summary>One-line descriptions of earlier actions on this workload, oldest first.</summary>
    public IReadOnlyList<string> RecentActions { get; init; } = [];

    public required CaseExpectation Expect { get; init; }

    /// <summary>The ideal answer in the proposal wire form (what the grammar makes a model write); training uses it.
    /// Optional for evaluation-only cases.</summary>
    public string? Target { get; init; }
}

public static class CaseKinds
{
    public const string Generated = "generated";
    public const string Hard = "hard";
    public const string Exported = "exported";
}

/// <summary>Backends of the managed rule in route order, with weights in percent.</summary>
public sealed record CaseRoute(string Name, string? Stable, IReadOnlyList<CaseBackend> Backends);

public sealed record CaseBackend(string Name, int Weight);

/// <summary>Health of one backend. Null = no data for that signal.</summary>
public sealed record CaseMetric(string Version, double? ErrorRatio, double? P99Ms, double? Rps, int Restarts = 0)
{
    /// <summary>When the sample was taken; default: the case's Now.</summary>
    public DateTimeOffset? At { get; init; }
}

public sealed record CaseAlert(string Name, IReadOnlyDictionary<string, string> Labels, DateTimeOffset StartsAt)
{
    /// <summary>firing or resolved.</summary>
    public string Status { get; init; } = "firing";

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset? EndsAt { get; init; }
}

/// <summary>
/// What a good proposal looks like. A proposal is right when its action is in <see cref="Actions"/> (or, when that
/// is empty, not in <see cref="Forbidden"/>) and its parameters keep the bounds given here.
/// </summary>
public sealed record CaseExpectation
{
    /// <summary>Acceptable actions; the first is the one the SOP prescribes for these facts.</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>Actions that are wrong here (an exported case that was rejected or undone names its action).</summary>
    public IReadOnlyList<string> Forbidden { get; init; } = [];

    /// <summary>Bounds on the weights after the change, per backend (shift_traffic, and the result of isolate/rollback).</summary>
    public IReadOnlyDictionary<string, WeightBound> Weights { get; init; } = new Dictionary<string, WeightBound>();

    /// <summary>Backends that may be isolated (isolate_backend).</summary>
    public IReadOnlyList<string> Isolate { get; init; } = [];

    public RateBound? RequestsPerSecond { get; init; }

    /// <summary>What the reason must name, matched case-insensitively: the faulty backend and the out-of-bounds
    /// signal, e.g. ["checkout-v2", "err"]. Empty = any readable reason.</summary>
    public IReadOnlyList<string> ReasonNames { get; init; } = [];

    [JsonIgnore]
    public string? Prescribed => Actions.Count > 0 ? Actions[0] : null;
}

public sealed record WeightBound(int? Min = null, int? Max = null);

public sealed record RateBound(int Min, int Max);
