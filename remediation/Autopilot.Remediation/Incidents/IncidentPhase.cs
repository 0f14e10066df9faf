namespace Autopilot.Remediation.Incidents;

/// <summary>
/// Where an incident is. The happy path: Firing → Triaging → Proposed → Approved → Applied → Verifying →
/// Restoring → Resolved. Closed phases: Resolved, Denied, Escalated, RolledBack.
/// </summary>
public enum IncidentPhase
{
    Firing,
    Triaging,
    Proposed,
    Approved,
    Denied,
    Applied,
    Verifying,
    Restoring,
    Resolved,
    Escalated,
    RolledBack,
}

public static class IncidentPhases
{
    public static bool IsClosed(this IncidentPhase phase) =>
        phase is IncidentPhase.Resolved or IncidentPhase.Denied or IncidentPhase.Escalated or IncidentPhase.RolledBack;

    /// <summary>Phases in which a change made by this incident is (or may be) in place on the route.</summary>
    public static bool HasChangeInPlace(this IncidentPhase phase) =>
        phase is IncidentPhase.Applied or IncidentPhase.Verifying or IncidentPhase.Restoring;
}
