using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Incidents;

/// <summary>
/// The incident state of one workload: the current (or last) incident and what has been seen of each alert
/// fingerprint, which is what dedup and flapping detection work from. Serialised with a schema version
/// (<see cref="IncidentStateJson"/>).
/// </summary>
public sealed record IncidentState(
    int SchemaVersion,
    string Workload,
    int Sequence,
    Incident? Current,
    IReadOnlyDictionary<string, AlertTrack> Alerts,
    long Suppressed)
{
    public const int CurrentSchemaVersion = 1;

    public static IncidentState Empty(WorkloadKey workload) =>
        new(CurrentSchemaVersion, workload.ToString(), 0, null, new Dictionary<string, AlertTrack>(), 0);

    public bool HasOpenIncident => Current is { Phase: var phase } && !phase.IsClosed();

    /// <summary>An incident the loop handed to humans (escalated, denied, rolled back) that still speaks for the
    /// workload's problem (see <see cref="Incident.SettledAt"/>). A resolved incident never holds: a problem that comes
    /// back after it is a new one.</summary>
    public Incident? Held(DateTimeOffset now, TimeSpan holdLimit) =>
        Current is { Phase: IncidentPhase.Escalated or IncidentPhase.Denied or IncidentPhase.RolledBack, SettledAt: null, ClosedAt: { } closedAt } held
        && now - closedAt <= holdLimit ? held : null;
}

/// <summary>What has been seen of one alert fingerprint. StatusChanges keeps the most recent firing/resolved flips.</summary>
public sealed record AlertTrack(
    string Fingerprint,
    string Name,
    AlertStatus Status,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Occurrences,
    IReadOnlyList<DateTimeOffset> StatusChanges,
    string? IncidentId);

/// <summary>One incident. Ids derived from it (change, undo, restore) are deterministic so that a retried
/// step is recognised downstream instead of being applied twice.</summary>
public sealed record Incident(
    string Id,
    IncidentPhase Phase,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    string? Outcome,
    IReadOnlyList<string> Fingerprints,
    long Duplicates,
    Proposal? Proposal,
    ProposalSource? ProposalSource,
    string? ChangeId,
    bool AwaitingApproval,
    IReadOnlyList<BackendWeight>? WeightsBefore,
    IReadOnlyList<BackendWeight>? WeightsAfter,
    int Verifications,
    bool? LastImproved,
    string? UndoChangeId,
    string? RestoreId,
    IReadOnlyList<PhaseChange> History)
{
    /// <summary>Triage measurements that did not confirm the alerts so far.</summary>
    public int UnconfirmedChecks { get; init; }

    /// <summary>The alert names triage saw; a firing alert of another name is a materially new signal.</summary>
    public IReadOnlyList<string> TriagedNames { get; init; } = [];

    /// <summary>When the loop last measured the workload for a new signal while the incident was held.</summary>
    public DateTimeOffset? SignalCheckedAt { get; init; }

    /// <summary>The incident this one took over from (re-triage on a new signal).</summary>
    public string? Follows { get; init; }

    /// <summary>When a closed incident stopped speaking for its workload's problem: its alerts resolved, a person
    /// closed it, or a new incident took over. Until then (and within the hold limit) it absorbs new alerts.</summary>
    public DateTimeOffset? SettledAt { get; init; }

    public string? Settlement { get; init; }

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string NewChangeId() => $"{Id}.change";

    public string NewUndoChangeId() => $"{Id}.undo";

    public string NewRestoreId() => $"{Id}.restore";
}

public sealed record PhaseChange(DateTimeOffset At, IncidentPhase From, IncidentPhase To, string Reason);

/// <summary>The outcome of <see cref="IncidentMachine.Apply"/>: the new state and the commands to run, or the
/// reason the event was rejected (then State is the unchanged input and there are no commands).</summary>
public sealed record Transition(IncidentState State, IReadOnlyList<IncidentCommand> Commands, string? Rejection)
{
    public bool Accepted => Rejection is null;
}
