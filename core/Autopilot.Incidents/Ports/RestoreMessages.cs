using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// Bring the canary back to its original weight in steps (percent of OriginalCanaryWeight, e.g. 10, 25, 50, 100),
/// checking health SettleDelay after each step against Bounds (the incident's: its SOP's health_bounds over the
/// configured ones; null: the configured ones). RestoreId makes the request idempotent.
/// </summary>
public sealed record RestoreRequest(
    string RestoreId,
    string IncidentId,
    WorkloadKey Workload,
    RouteRef Route,
    string StableBackend,
    string CanaryBackend,
    int OriginalCanaryWeight,
    IReadOnlyList<int> StepPercents,
    TimeSpan SettleDelay,
    HealthBounds? Bounds = null);

/// <summary>One step of a restore: the weights it asked for, what the guardrail did, and the health after it.</summary>
public sealed record RestoreStepResult(
    int Index,
    int CanaryWeight,
    string ChangeId,
    DecisionStatus Status,
    bool Healthy,
    string Summary);

/// <summary>How a restore ended. Completed = every step applied and healthy; otherwise the last healthy
/// weights were put back (compensation) and FailureReason says which step failed and why.</summary>
public sealed record RestoreOutcome(
    string RestoreId,
    string IncidentId,
    bool Completed,
    IReadOnlyList<RestoreStepResult> Steps,
    string? FailureReason);
