using System.Globalization;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Incidents.Health;

/// <summary>Whether the loop's own measurement confirms the firing alerts, and what it measured.</summary>
public sealed record ConfirmationResult(bool Confirmed, string Summary);

/// <summary>
/// Confirm before acting: an alert is a claim, the metrics are the evidence. An alert that names a backend (label
/// "version") is confirmed only when that backend is out of bounds in the loop's own measurement; other alerts when
/// some backend is, unless the SOP says the workload's metrics do not measure its condition. A forged or stale alert
/// on a healthy workload, or one the loop cannot measure (no data), therefore plans nothing.
/// </summary>
public static class AlertConfirmation
{
    public const string BackendLabel = "version";

    public static ConfirmationResult Check(
        IReadOnlyList<Alert> alerts,
        IReadOnlyList<MetricSnapshot> metrics,
        IReadOnlyDictionary<string, IReadOnlyList<string>> outOfBounds,
        Confirmation? sopSays)
    {
        var firing = alerts.Where(a => a.Status == AlertStatus.Firing).ToList();
        if (sopSays == Confirmation.Nothing)
            return new(true, $"taken as it is: the SOP says the workload's metrics do not measure {Names(firing)}");
        if (metrics.Count == 0)
            return new(false, $"no measurement of the workload to confirm {Names(firing)} (no data)");

        var named = sopSays == Confirmation.AnyBackend
            ? []
            : firing.Select(a => (Alert: a, Backend: a.Label(BackendLabel))).Where(x => !string.IsNullOrEmpty(x.Backend)).ToList();
        if (named.Count == 0)
        {
            return outOfBounds.Count > 0
                ? new(true, "confirmed: " + Described(outOfBounds))
                : new(false, $"every backend is within bounds ({string.Join("; ", metrics.Select(Reading))}), which does not confirm {Names(firing)}");
        }

        var confirmed = named.Where(x => outOfBounds.ContainsKey(x.Backend!)).ToList();
        if (confirmed.Count > 0)
            return new(true, "confirmed: " + string.Join(", ", confirmed.Select(x => $"{x.Backend} {string.Join(' ', outOfBounds[x.Backend!])} (named by {x.Alert.Name})").Distinct()));
        var why = named.Select(x => x.Backend!).Distinct(StringComparer.Ordinal).Select(backend =>
            metrics.FirstOrDefault(m => m.Version == backend) is { } measured
                ? $"{Reading(measured)} is within bounds"
                : $"{backend} has no measurement (no data)");
        return new(false, $"{string.Join("; ", why)}, which does not confirm {Names(firing)}");
    }

    private static string Names(IReadOnlyList<Alert> alerts) =>
        alerts.Count == 0 ? "the alerts" : string.Join(", ", alerts.Select(a => a.Name).Distinct(StringComparer.Ordinal));

    private static string Described(IReadOnlyDictionary<string, IReadOnlyList<string>> outOfBounds) =>
        string.Join(", ", outOfBounds.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {string.Join(' ', o.Value)}"));

    private static string Reading(MetricSnapshot m) => string.Create(CultureInfo.InvariantCulture,
        $"{m.Version} err {HealthJudge.Ratio(m.ErrorRatio)}, p99 {HealthJudge.Ms(m.P99LatencyMs)}, {(double.IsNaN(m.RequestsPerSecond) ? 0 : m.RequestsPerSecond):0.#} rps, {m.Restarts} restarts");
}
