namespace Autopilot.Simulator.Metrics;

/// <summary>A cumulative Prometheus histogram of request durations in seconds.</summary>
public sealed class LatencyHistogram
{
    /// <summary>Bucket upper bounds (seconds), as the Prometheus client libraries default them.</summary>
    public static readonly IReadOnlyList<double> Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] _buckets = new long[Bounds.Count];

    public long Count { get; private set; }

    public double Sum { get; private set; }

    public void Observe(double seconds, long times)
    {
        if (times <= 0) return;
        for (var i = 0; i < Bounds.Count; i++)
            if (seconds <= Bounds[i]) _buckets[i] += times;
        Count += times;
        Sum += seconds * times;
    }

    /// <summary>Cumulative counts per bound (le), without +Inf (that is <see cref="Count"/>).</summary>
    public IReadOnlyList<long> CumulativeCounts => _buckets;

    public HistogramSnapshot Snapshot() => new([.. _buckets], Count, Sum);
}

public sealed record HistogramSnapshot(IReadOnlyList<long> Cumulative, long Count, double Sum)
{
    public static readonly HistogramSnapshot Empty = new(new long[LatencyHistogram.Bounds.Count], 0, 0);

    public HistogramSnapshot Minus(HistogramSnapshot earlier) =>
        new([.. Cumulative.Select((c, i) => c - earlier.Cumulative[i])], Count - earlier.Count, Sum - earlier.Sum);

    /// <summary>
    /// The q-quantile the way PromQL's histogram_quantile estimates it: find the bucket the rank falls in and
    /// interpolate linearly inside it; NaN without observations; the highest finite bound when it falls in +Inf.
    /// </summary>
    public double Quantile(double q)
    {
        if (Count <= 0) return double.NaN;
        var rank = q * Count;
        var lowerBound = 0.0;
        long lowerCount = 0;
        for (var i = 0; i < Cumulative.Count; i++)
        {
            if (Cumulative[i] >= rank)
            {
                var inBucket = Cumulative[i] - lowerCount;
                return inBucket == 0
                    ? LatencyHistogram.Bounds[i]
                    : lowerBound + (LatencyHistogram.Bounds[i] - lowerBound) * ((rank - lowerCount) / inBucket);
            }
            lowerBound = LatencyHistogram.Bounds[i];
            lowerCount = Cumulative[i];
        }
        return LatencyHistogram.Bounds[^1];
    }
}
