using Autopilot.Incidents.Notifications;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// The audit trail of one incident, as GET /incidents/{id} returns it: what came in, what was perceived, what
/// the model said, what policy decided, what changed, how it was verified, and how long each step took.
/// </summary>
public sealed record IncidentRecord(
    int SchemaVersion,
    string IncidentId,
    string Workload,
    IncidentPhase Phase,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    string? Outcome,
    AlertDigest Alerts,
    IReadOnlyList<MetricSnapshot> Metrics,
    RouteState? Route,
    FactSheet? FactSheet,
    IReadOnlyList<SopHit> Sops,
    PlanRecord? Plan,
    Proposal? Proposal,
    GuardrailDecision? Decision,
    IReadOnlyList<VerificationRecord> Verifications,
    GuardrailDecision? Undo,
    RestoreOutcome? Restore,
    IReadOnlyList<string> Escalations,
    IReadOnlyList<StepRecord> Steps)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>When the incident stopped speaking for its workload's problem (alerts resolved, closed by a person, or
    /// taken over by a newer incident). A closed incident without it still absorbs the workload's alerts.</summary>
    public DateTimeOffset? SettledAt { get; init; }

    public string? Settlement { get; init; }

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>The per-backend thresholds triage judged by (the SOP's health_bounds over the configured ones);
    /// verification judges by the same.</summary>
    public HealthBounds? HealthBounds { get; init; }

    /// <summary>The incident this one took over from, on a materially new signal.</summary>
    public string? Follows { get; init; }

    /// <summary>Messages about its transitions (docs/notifications.md): queued or dropped, then each receiver's answer.</summary>
    public IReadOnlyList<NotificationRecord> Notifications { get; init; } = [];

    public bool IsOpen => !Phase.IsClosed();

    /// <summary>Closed by the loop and handed to humans, with its alerts still firing: it needs a person.</summary>
    public bool NeedsAttention => Phase.IsClosed() && SettledAt is null;

    public IncidentSummary Summarise() =>
        new(IncidentId, Workload, Phase, OpenedAt, UpdatedAt, ClosedAt, Outcome, Alerts.Names, Proposal?.Action, Decision?.Status)
        {
            SettledAt = SettledAt,
            AcknowledgedBy = AcknowledgedBy,
            AlertsReceived = Alerts.Received,
        };

    public static IncidentRecord Open(string incidentId, WorkloadKey workload, DateTimeOffset openedAt) =>
        new(CurrentSchemaVersion, incidentId, workload.ToString(), IncidentPhase.Firing, openedAt, openedAt, null, null,
            AlertDigest.Empty, [], null, null, [], null, null, null, [], null, null, [], []);
}

/// <summary>The alerts of an incident, one entry per fingerprint (the first MaxEntries), with total counts.</summary>
public sealed record AlertDigest(IReadOnlyList<AlertEntry> Entries, long Received, int Distinct, int Omitted, IReadOnlyList<string> Names)
{
    public const int MaxEntries = 50;

    public static AlertDigest Empty { get; } = new([], 0, 0, 0, []);
}

public sealed record AlertEntry(
    string Fingerprint,
    string Name,
    AlertStatus Status,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    long Occurrences);

/// <summary>A retrieved SOP: its id, score and every reason it matched.</summary>
public sealed record SopHit(string Id, string Title, double Score, IReadOnlyList<string> Reasons, string DefaultAction, bool DefaultActionSafe);

/// <summary>How the proposal came about: the model's raw output (if any), why it was not used (if not), and
/// which source won.</summary>
public sealed record PlanRecord(
    ProposalSource Source,
    string? SopId,
    string? RawOutput,
    string? ModelError,
    string? ParseError,
    int? Seed,
    IReadOnlyList<string> AllowedActions)
{
    /// <summary>Tokens the model read (system prefix included) and wrote, when the model answered.</summary>
    public int? PromptTokens { get; init; }
    public int? CompletionTokens { get; init; }
}

public sealed record VerificationRecord(DateTimeOffset At, HealthVerdict Verdict, bool Healthy, string Summary, IReadOnlyList<MetricSnapshot> Metrics);

/// <summary>One step of the loop (alerts, perceive, compact, retrieve, plan, guardrail, verify, undo, restore,
/// escalate) and how long it took.</summary>
public sealed record StepRecord(DateTimeOffset At, string Step, double DurationMs, string Summary);

/// <summary>One line of GET /incidents.</summary>
public sealed record IncidentSummary(
    string IncidentId,
    string Workload,
    IncidentPhase Phase,
    DateTimeOffset OpenedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    string? Outcome,
    IReadOnlyList<string> AlertNames,
    string? Action,
    DecisionStatus? Decision)
{
    public DateTimeOffset? SettledAt { get; init; }

    public string? AcknowledgedBy { get; init; }

    /// <summary>Alert notifications the incident absorbed (duplicates and pods joining included).</summary>
    public long AlertsReceived { get; init; }
}
