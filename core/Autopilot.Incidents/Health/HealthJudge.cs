using System.Globalization;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;

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

/// <summary>The verdict of one verification, and the measurement behind it in one line.</summary>
public sealed record HealthCheck(HealthVerdict Verdict, bool Healthy, string Summary);

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

    /// <summary>Within <paramref name="bounds"/> (default: the configured <see cref="Bounds"/>).</summary>
    public bool IsHealthy(HealthReading reading, HealthBounds? bounds = null)
    {
        var limits = bounds ?? Bounds;
        return reading.HasData
            && reading.ErrorRatio <= limits.MaxErrorRatio
            && (double.IsNaN(reading.P99LatencyMs) || reading.P99LatencyMs <= limits.MaxP99LatencyMs);
    }

    /// <summary>One version judged on its own (a canary at 1% can fail badly without moving the workload's
    /// average) within <paramref name="bounds"/> (default: the configured ones); a version without traffic has
    /// nothing to judge.</summary>
    public bool IsVersionHealthy(MetricSnapshot version, HealthBounds? bounds = null)
    {
        var limits = bounds ?? Bounds;
        return !(version.RequestsPerSecond > 0)
            || ((double.IsNaN(version.ErrorRatio) || version.ErrorRatio <= limits.MaxErrorRatio)
                && (double.IsNaN(version.P99LatencyMs) || version.P99LatencyMs <= limits.MaxP99LatencyMs));
    }

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

    /// <summary>
    /// Did the change help? Judged per backend on samples taken after the change: each backend that was out of bounds
    /// at triage must have lost traffic share or come back within bounds (or its bad signal fell by MinImprovement).
    /// A faulty backend without samples counts as improved only when the route gives it no traffic any more;
    /// otherwise it is unknown, which extends verification instead of undoing or declaring success on a blind spot.
    /// Without a faulty backend (a condition the metrics do not measure), the workload as a whole is judged.
    /// </summary>
    public HealthCheck Verify(IReadOnlyList<MetricSnapshot> atTriage, IReadOnlyDictionary<string, IReadOnlyList<string>> faulty,
        IReadOnlyList<MetricSnapshot> now, RouteState? route, DateTimeOffset changedAt, HealthBounds? bounds = null)
    {
        bounds ??= Bounds;
        var fresh = now.Where(m => m.At >= changedAt).ToList();
        if (fresh.Count == 0) return new(HealthVerdict.Unknown, false, $"no samples taken since the change at {changedAt:u}");
        // Restarts are a running total that never falls after a fix: whether a backend still restarts is for its alert
        // to say (the restore waits for every alert to resolve), so health here is errors and latency.
        var judged = bounds.Judge(fresh, route?.StableBackend).ToDictionary(
            j => j.Key, j => (IReadOnlyList<string>)[.. j.Value.Where(v => HealthBounds.SignalOf(v) != "restarts")], StringComparer.Ordinal);
        var serving = fresh.Any(m => m.RequestsPerSecond > 0);
        var healthy = serving && judged.All(j => j.Value.Count == 0);
        var state = !serving ? "no backend served traffic"
            : healthy ? "every backend within bounds"
            : "out of bounds: " + string.Join(", ", judged.Where(j => j.Value.Count > 0).Select(j => $"{j.Key} {string.Join(' ', j.Value)}"));

        if (faulty.Count == 0)
        {
            var baseline = Read(atTriage);
            var reading = Read(fresh);
            var verdict = !reading.HasData ? HealthVerdict.Unknown : Improved(baseline, reading) ? HealthVerdict.Improved : HealthVerdict.NotImproved;
            return new(verdict, healthy && reading.HasData, $"{reading} (at triage: {baseline}); {state}");
        }

        var verdicts = new List<HealthVerdict>();
        var lines = new List<string>();
        foreach (var (backend, signals) in faulty.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var (verdict, line) = VerifyBackend(backend, signals, atTriage, fresh, judged, route);
            verdicts.Add(verdict);
            lines.Add(line);
        }
        // A backend that was within bounds at triage and is out of bounds now may be what the change did (the stable
        // backend overloaded by the traffic it took over): the change did not help.
        foreach (var (backend, signals) in judged.Where(j => j.Value.Count > 0 && !faulty.ContainsKey(j.Key)).OrderBy(j => j.Key, StringComparer.Ordinal))
        {
            verdicts.Add(HealthVerdict.NotImproved);
            lines.Add($"{backend}: newly out of bounds ({string.Join(' ', signals)})");
        }
        var overall = verdicts.Contains(HealthVerdict.NotImproved) ? HealthVerdict.NotImproved
            : verdicts.Contains(HealthVerdict.Unknown) ? HealthVerdict.Unknown
            : HealthVerdict.Improved;
        return new(overall, healthy, $"{string.Join("; ", lines)}; {state}");
    }

    private (HealthVerdict, string) VerifyBackend(string backend, IReadOnlyList<string> signals, IReadOnlyList<MetricSnapshot> atTriage,
        IReadOnlyList<MetricSnapshot> fresh, IReadOnlyDictionary<string, IReadOnlyList<string>> judged, RouteState? route)
    {
        var before = atTriage.FirstOrDefault(m => m.Version == backend);
        var after = fresh.FirstOrDefault(m => m.Version == backend);
        var shareBefore = Share(atTriage, backend);
        var weightNow = route?.Weights().FirstOrDefault(w => w.Name == backend)?.Weight ?? (route is null ? (int?)null : 0);
        if (after is null || !(after.RequestsPerSecond > 0))
        {
            return weightNow == 0
                ? (HealthVerdict.Improved, $"{backend}: traffic share {Percent(shareBefore)} → 0% (the route gives it none)")
                : (HealthVerdict.Unknown, $"{backend}: no samples since the change (route weight {weightNow?.ToString(CultureInfo.InvariantCulture) ?? "unknown"})");
        }

        var shareAfter = Share(fresh, backend);
        // Errors per second show a mitigation working even while the window's ratio still holds the errors served before it.
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{backend}: traffic share {Percent(shareBefore)} → {Percent(shareAfter)}, 5xx {PerSecond(before)} → {PerSecond(after)}, error ratio {Ratio(before?.ErrorRatio)} → {Ratio(after.ErrorRatio)}")
            + (signals.Any(v => HealthBounds.SignalOf(v) == "p99") ? $", p99 {Ms(before?.P99LatencyMs)} → {Ms(after.P99LatencyMs)}" : "");
        var inBounds = judged.GetValueOrDefault(backend) is not { Count: > 0 };
        var lessTraffic = shareAfter <= shareBefore * (1 - options.MinImprovement);
        var signalsBetter = before is not null && signals.Select(HealthBounds.SignalOf).Distinct().All(signal => signal switch
        {
            "err" => after.ErrorRatio <= before.ErrorRatio * (1 - options.MinImprovement),
            "p99" => after.P99LatencyMs <= before.P99LatencyMs * (1 - options.MinImprovement),
            _ => false, // restarts only add up: a crash-looping backend is helped by taking its traffic away
        });
        return inBounds || lessTraffic || signalsBetter
            ? (HealthVerdict.Improved, line + (inBounds ? " (within bounds)" : lessTraffic ? " (less traffic)" : " (fewer errors)"))
            : (HealthVerdict.NotImproved, line + " (no better)");
    }

    private static double Share(IReadOnlyList<MetricSnapshot> snapshots, string backend)
    {
        var total = snapshots.Where(m => m.RequestsPerSecond > 0).Sum(m => m.RequestsPerSecond);
        var mine = snapshots.FirstOrDefault(m => m.Version == backend)?.RequestsPerSecond ?? 0;
        return total > 0 && mine > 0 ? mine / total : 0;
    }

    private static string PerSecond(MetricSnapshot? m) =>
        m is { ErrorRatio: var ratio, RequestsPerSecond: var rps } && !double.IsNaN(ratio) && rps > 0
            ? (ratio * rps).ToString("0.##", CultureInfo.InvariantCulture) + "/s"
            : "0/s";

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    internal static string Ratio(double? ratio) => ratio is { } r && !double.IsNaN(r) ? r.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";

    internal static string Ms(double? ms) => ms is { } v && !double.IsNaN(v) ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "n/a";
}
