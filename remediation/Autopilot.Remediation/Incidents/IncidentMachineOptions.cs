namespace Autopilot.Remediation.Incidents;

/// <summary>Timings and thresholds of the incident state machine.</summary>
public sealed record IncidentMachineOptions
{
    /// <summary>Status flips (firing↔resolved) of one fingerprint within FlapWindow that make it "flapping".</summary>
    public int FlapThreshold { get; init; } = 4;

    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Delay between a change being applied and the health check that verifies it.</summary>
    public TimeSpan VerifyDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long health must hold after the alerts resolved before the restore starts.</summary>
    public TimeSpan ResolveHoldDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Checks that find the change helping while alerts still fire, before escalating.</summary>
    public int MaxVerifications { get; init; } = 5;

    public TimeSpan ApprovalPollInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Fingerprints resolved and not seen for this long are forgotten (bounds the state).</summary>
    public TimeSpan AlertRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Most fingerprints remembered per workload; the oldest resolved ones go first.</summary>
    public int MaxTrackedAlerts { get; init; } = 10_000;

    /// <summary>Delay between triage measurements that did not confirm the alerts.</summary>
    public TimeSpan UnconfirmedRecheckDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Measurements that do not confirm firing alerts before the incident escalates.</summary>
    public int MaxUnconfirmedChecks { get; init; } = 4;

    /// <summary>An incident handed to humans (escalated, denied, rolled back) triages again for a new alert name no
    /// sooner than this after it opened; until then new alerts only join it.</summary>
    public TimeSpan RetriageCooldown { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an incident handed to humans keeps absorbing its workload's alerts when nobody closes it and
    /// its alerts never resolve (a lost "resolved" notification must not silence a workload for ever).</summary>
    public TimeSpan HoldLimit { get; init; } = TimeSpan.FromHours(4);

    public static IncidentMachineOptions Default { get; } = new();
}
