using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Incidents.Loop;

/// <summary>
/// What one workload's incident process keeps: the state machine's state, the audit record of the current (or
/// last) incident, and a few recent actions for the next fact sheet.
/// </summary>
public sealed record IncidentProcessState(IncidentState Machine, IncidentRecord? Record, IReadOnlyList<string> RecentActions)
{
    public const int MaxRecentActions = 10;
}
