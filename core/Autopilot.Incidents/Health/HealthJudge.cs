using System.Globalization;
using Autopilot.Remediation.Compaction;

namespace Autopilot.Incidents.Health;

/// <summary>The workload's health in two numbers: the traffic-weighted error ratio and the worst p99 of any
/// version that serves traffic. NaN = no data (no version served traffic).</summary>
public sealed record HealthReading(double ErrorRatio, double P99LatencyMs, double RequestsPerSecond)
{
    public bool HasData => !double.IsNaN(ErrorRatio);

    public override string ToString() => HasData
        ? string.Create(CultureInfo.InvariantCulture, $"error ratio {ErrorRatio:0.####}, p99 {P99LatencyMs:0.#} ms, {RequestsPerSecond:0.#} rps")
        : "no traffic data";
}

/// <summary>Decides from metric snapshots whether the workload is healthy and whether a change helped.</summary>
public sealed class HealthJudge(HealthOptions options)
{
    /// <summary>The per-backend thresholds, as the fact sheet states them.</summary>
    public HealthBounds Bounds { get; } = new(options.MaxErrorRatio, options.MaxP99LatencyMs, options.MaxRestarts);

    public static HealthReading Read(IReadOnlyList<MetricSnapshot> snapshots)
    {
        var serving = snapshots.Where(s => s.RequestsPerSecond > 0 && !double.IsNaN(s.RequestsPerSecond)).ToList();
        var rps = serving.Sum(s => s.RequestsPerSecond);
        if (rps <= 0) return new HealthReading(double.NaN, double.NaN, 0);
        var errors = serving.Sum(s => double.IsNaN(s.ErrorRatio) ? 0 : s.ErrorRatio * s.RequestsPerSecond);
        var latencies = serving.Select(s => s.P99LatencyMs).Where(l => !double.IsNaN(l)).ToList();
        return new HealthReading(errors / rps, latencies.Count == 0 ? double.NaN : latencies.Max(), rps);
    }

    public bool IsHealthy(HealthReading reading) =>
        reading.HasData
        && reading.ErrorRatio <= options.MaxErrorRatio
        && (double.IsNaN(reading.P99LatencyMs) || reading.P99LatencyMs <= options.MaxP99LatencyMs);

    /// <summary>One version judged on its own (a canary at 1% can fail badly without moving the workload's
    /// average); a version without traffic has nothing to judge.</summary>
    public bool IsVersionHealthy(MetricSnapshot version) =>
        !(version.RequestsPerSecond > 0)
        || ((double.IsNaN(version.ErrorRatio) || version.ErrorRatio <= options.MaxErrorRatio)
            && (double.IsNaN(version.P99LatencyMs) || version.P99LatencyMs <= options.MaxP99LatencyMs));

    /// <summary>
    /// Better than the baseline: healthy now, or each signal that was bad fell by MinImprovement. Without data
    /// now, the change is not judged a failure (nothing to undo on a blind spot); without a baseline, only
    /// "healthy now" counts.
    /// </summary>
    public bool Improved(HealthReading baseline, HealthReading now)
    {
        if (!now.HasData) return true;
        if (IsHealthy(now)) return true;
        if (!baseline.HasData) return false;
        var errorsBetter = now.ErrorRatio <= options.MaxErrorRatio || now.ErrorRatio <= baseline.ErrorRatio * (1 - options.MinImprovement);
        var latencyBetter = double.IsNaN(now.P99LatencyMs) || now.P99LatencyMs <= options.MaxP99LatencyMs
            || (!double.IsNaN(baseline.P99LatencyMs) && now.P99LatencyMs <= baseline.P99LatencyMs * (1 - options.MinImprovement));
        return errorsBetter && latencyBetter;
    }
}
