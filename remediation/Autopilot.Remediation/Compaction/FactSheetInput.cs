using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Compaction;

/// <summary>Everything the incident knows about one workload right now. RecentActions are one-line
/// descriptions in chronological order (oldest first), e.g. "00:31Z shift_traffic checkout-v2=10 applied".</summary>
public sealed record FactSheetInput(
    WorkloadKey Workload,
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<MetricSnapshot> Metrics,
    RouteState? Route,
    IReadOnlyList<string> RecentActions,
    DateTimeOffset Now)
{
    /// <summary>What counts as healthy for one backend. When given, each version line says which of its signals is
    /// out of bounds, so the planner (and an auditor) reads the judgement instead of re-deriving it from numbers.</summary>
    public HealthBounds? Bounds { get; init; }

    /// <summary>Annotation names whose text an alert line shows (the first one an alert carries, in this order). Empty
    /// by default: annotations are free text, and the matched SOP asks for them ("include_annotations").</summary>
    public IReadOnlyList<string> Annotations { get; init; } = [];
}

/// <summary>Per-backend health thresholds: error ratio and p99 at or below, restarts at or below, are in bounds; a
/// backend other than the stable one whose p99 is more than <see cref="SlowerThanStable"/> times the stable's is slow.</summary>
public sealed record HealthBounds(double MaxErrorRatio, double MaxP99LatencyMs, int MaxRestarts)
{
    public const double SlowerThanStable = 2.0;

    /// <summary>Each backend's out-of-bounds signals (empty when healthy), judged on its latest sample.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Judge(IReadOnlyList<MetricSnapshot> latest, string? stable)
    {
        var stableP99 = latest.FirstOrDefault(m => m.Version == stable)?.P99LatencyMs ?? double.NaN;
        var judged = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var snapshot in latest)
        {
            var violations = Violations(snapshot).ToList();
            if (snapshot.Version != stable && snapshot.RequestsPerSecond > 0 && stableP99 > 0 && snapshot.P99LatencyMs > SlowerThanStable * stableP99
                && !violations.Any(v => SignalOf(v) == "p99"))
                violations.Add("p99>2x-stable");
            judged[snapshot.Version] = violations;
        }
        return judged;
    }

    /// <summary>The signal a violation is about: "err" for "err>5%", "p99" for "p99>2x-stable".</summary>
    public static string SignalOf(string violation) => violation.Split('>')[0];

    /// <summary>The signals of one snapshot that are out of bounds, e.g. ["err>5%", "p99>1000ms"]; empty when healthy.
    /// A backend that served no traffic has no error ratio or latency to judge.</summary>
    public IReadOnlyList<string> Violations(MetricSnapshot snapshot)
    {
        var violations = new List<string>(3);
        var serving = snapshot.RequestsPerSecond > 0;
        if (serving && snapshot.ErrorRatio > MaxErrorRatio)
            violations.Add("err>" + (MaxErrorRatio * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%");
        if (serving && snapshot.P99LatencyMs > MaxP99LatencyMs)
            violations.Add("p99>" + MaxP99LatencyMs.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "ms");
        if (snapshot.Restarts > MaxRestarts)
            violations.Add("restarts>" + MaxRestarts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return violations;
    }
}
