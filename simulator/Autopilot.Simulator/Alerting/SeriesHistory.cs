using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Metrics;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Alerting;

/// <summary>What a version did over a window, computed the way the PromQL in the rules computes it.</summary>
public sealed record VersionWindow(
    string Version,
    double RequestsPerSecond,
    double ErrorRatio,
    double P99Seconds,
    double RestartsIncrease)
{
    public bool HasTraffic => RequestsPerSecond > 0;
}

/// <summary>
/// Snapshots taken at each evaluation, kept for the longest window a rule uses, so windows can be evaluated as
/// increase() over a range: the difference between the newest sample and the oldest sample inside the range.
/// </summary>
public sealed class SeriesHistory(TimeSpan retention)
{
    private readonly object _gate = new();
    private readonly Dictionary<WorkloadKey, LinkedList<WorkloadSnapshot>> _samples = [];

    public void Record(IEnumerable<WorkloadSnapshot> snapshots)
    {
        lock (_gate)
        {
            foreach (var snapshot in snapshots)
            {
                if (!_samples.TryGetValue(snapshot.Key, out var list)) _samples[snapshot.Key] = list = new();
                list.AddLast(snapshot);
                while (list.First is { } first && snapshot.At - first.Value.At > retention) list.RemoveFirst();
            }
        }
    }

    /// <summary>Per version over the range ending at the newest sample; empty until two samples span some time.</summary>
    public IReadOnlyList<VersionWindow> Window(WorkloadKey key, TimeSpan range)
    {
        WorkloadSnapshot newest, oldest;
        lock (_gate)
        {
            if (!_samples.TryGetValue(key, out var list) || list.Last is null) return [];
            newest = list.Last.Value;
            oldest = list.First(s => newest.At - s.At <= range);
        }
        var seconds = (newest.At - oldest.At).TotalSeconds;
        if (seconds <= 0) return [];
        return [.. newest.Versions.Select(v =>
        {
            var before = oldest.Versions.FirstOrDefault(o => o.Version == v.Version);
            var requests = v.Requests - (before?.Requests ?? 0);
            var errors = v.ServerErrors - (before?.ServerErrors ?? 0);
            var latency = v.Latency.Minus(before?.Latency ?? HistogramSnapshot.Empty);
            return new VersionWindow(
                v.Version,
                requests / seconds,
                requests == 0 ? double.NaN : (double)errors / requests,
                latency.Quantile(0.99),
                v.Restarts - (before?.Restarts ?? 0));
        })];
    }

    public WorkloadSnapshot? Latest(WorkloadKey key)
    {
        lock (_gate) return _samples.TryGetValue(key, out var list) ? list.Last?.Value : null;
    }

    public IReadOnlyList<WorkloadKey> Workloads
    {
        get
        {
            lock (_gate) return [.. _samples.Keys];
        }
    }
}
