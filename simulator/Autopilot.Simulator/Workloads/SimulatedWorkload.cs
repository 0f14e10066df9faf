using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Metrics;

namespace Autopilot.Simulator.Workloads;

/// <summary>
/// The live state of one simulated workload: counters and histograms per version that grow as the clock advances,
/// following the route's current weights and the active faults. Deterministic: the same weights, faults and clock
/// steps give the same numbers (fractions of requests carry over to the next step instead of being sampled).
/// </summary>
public sealed class SimulatedWorkload
{
    /// <summary>How request durations spread around a version's median: share of requests and factor on the median.</summary>
    private static readonly (double Share, double Factor)[] LatencyShape = [(0.50, 0.8), (0.40, 1.2), (0.09, 2.0), (0.01, 3.0)];

    private readonly object _gate = new();
    private readonly Dictionary<string, VersionState> _versions;
    private readonly List<(Fault Fault, DateTimeOffset InjectedAt)> _faults = [];
    private DateTimeOffset _certificateExpiresAt;

    public SimulatedWorkload(WorkloadSpec spec, DateTimeOffset now)
    {
        var problems = spec.Validate();
        if (problems.Count > 0) throw new ArgumentException($"Workload {spec.Key}: {string.Join("; ", problems)}", nameof(spec));
        Spec = spec;
        _versions = spec.Versions.ToDictionary(v => v.Name, v => new VersionState(v), StringComparer.Ordinal);
        _certificateExpiresAt = now + spec.CertificateValidity;
    }

    public WorkloadSpec Spec { get; }

    /// <summary>Requests and failures served since the start, all versions together.</summary>
    public (long Requests, long Errors) Totals
    {
        get
        {
            lock (_gate) return (_versions.Values.Sum(v => v.Requests), _versions.Values.Sum(v => v.Errors));
        }
    }

    public void Inject(Fault fault, DateTimeOffset now)
    {
        lock (_gate)
        {
            _faults.RemoveAll(f => f.Fault.Id == fault.Id);
            _faults.Add((fault, now));
            if (fault.CertificateExpiresIn is { } expiresIn) _certificateExpiresAt = now + expiresIn;
        }
    }

    public bool Clear(string faultId, DateTimeOffset now)
    {
        lock (_gate)
        {
            var removed = _faults.RemoveAll(f => f.Fault.Id == faultId) > 0;
            // Clearing a certificate fault means the certificate got renewed.
            if (removed && _faults.All(f => f.Fault.CertificateExpiresIn is null)) _certificateExpiresAt = now + Spec.CertificateValidity;
            return removed;
        }
    }

    public IReadOnlyList<Fault> ActiveFaults
    {
        get
        {
            lock (_gate) return [.. _faults.Select(f => f.Fault)];
        }
    }

    /// <summary>Serves the traffic of one clock step of length <paramref name="elapsed"/> ending at <paramref name="now"/>.</summary>
    public void Serve(TimeSpan elapsed, DateTimeOffset now, IReadOnlyList<BackendWeight>? weights)
    {
        if (elapsed <= TimeSpan.Zero) return;
        lock (_gate)
        {
            var multiplier = _faults.Aggregate(1.0, (m, f) => m * f.Fault.TrafficMultiplier);
            var requests = Spec.RequestsPerSecond * multiplier * elapsed.TotalSeconds;
            var effective = EffectiveWeights(weights);
            var totalWeight = effective.Sum(w => w.Weight);
            foreach (var (name, weight) in effective)
            {
                if (!_versions.TryGetValue(name, out var version)) continue;
                var share = totalWeight == 0 ? 0 : (double)weight / totalWeight;
                ServeVersion(version, requests * share, now);
            }
            foreach (var version in _versions.Values)
            {
                var restartsPerMinute = _faults.Sum(f => f.Fault.RestartsPerMinute(version.Spec.Name));
                version.Restarts += Carry(ref version.RestartCarry, restartsPerMinute * elapsed.TotalMinutes);
            }
        }
    }

    private void ServeVersion(VersionState version, double requests, DateTimeOffset now)
    {
        var served = Carry(ref version.RequestCarry, requests);
        if (served == 0) return;
        var errorRatio = version.Spec.BaseErrorRatio;
        var failureCode = "500";
        foreach (var (fault, injectedAt) in _faults)
        {
            var extra = fault.ErrorRatio(version.Spec.Name, now - injectedAt);
            if (extra <= 0) continue;
            errorRatio = 1 - (1 - errorRatio) * (1 - extra);
            failureCode = fault.FailureCode;
        }
        var errors = Math.Min(served, Carry(ref version.ErrorCarry, served * Math.Clamp(errorRatio, 0, 1)));
        version.Add("200", served - errors);
        version.Add(failureCode, errors);
        version.Requests += served;
        version.Errors += errors;

        var median = version.Spec.MedianLatencyMs;
        var added = _faults.Sum(f => f.Fault.AddedLatencyMs(version.Spec.Name));
        // The slowest slice takes what the others' rounding left, so _count always equals the requests served.
        var left = served;
        for (var i = 0; i < LatencyShape.Length; i++)
        {
            var count = i == LatencyShape.Length - 1 ? left : Math.Min(left, Carry(ref version.LatencyCarry[i], served * LatencyShape[i].Share));
            left -= count;
            version.Histogram.Observe((median * LatencyShape[i].Factor + added) / 1000.0, count);
        }
    }

    /// <summary>Without a route (deleted, not yet created) everything goes to the stable version.</summary>
    private IReadOnlyList<(string Name, int Weight)> EffectiveWeights(IReadOnlyList<BackendWeight>? weights) =>
        weights is null || weights.Count == 0 || weights.Sum(w => w.Weight) == 0
            ? [(Spec.StableVersion, 100)]
            : [.. weights.Select(w => (w.Name, w.Weight))];

    private static long Carry(ref double carry, double amount)
    {
        carry += amount;
        var whole = (long)Math.Floor(carry);
        carry -= whole;
        return whole;
    }

    /// <summary>A consistent copy of every series, for /metrics and the alert evaluator.</summary>
    public WorkloadSnapshot Snapshot(DateTimeOffset now)
    {
        lock (_gate)
        {
            var down = _faults.Select(f => f.Fault.DownDependency).OfType<string>().ToHashSet(StringComparer.Ordinal);
            return new WorkloadSnapshot(
                Spec.Key,
                now,
                [.. _versions.Values.Select(v => new VersionSnapshot(
                    v.Spec.Name,
                    new Dictionary<string, long>(v.RequestsByCode, StringComparer.Ordinal),
                    v.Histogram.Snapshot(),
                    v.Restarts))],
                Math.Max(0, (_certificateExpiresAt - now).TotalSeconds),
                Spec.DependencyNames.ToDictionary(d => d, d => !down.Contains(d), StringComparer.Ordinal));
        }
    }

    private sealed class VersionState(VersionSpec spec)
    {
        public VersionSpec Spec { get; } = spec;
        public Dictionary<string, long> RequestsByCode { get; } = new(StringComparer.Ordinal) { ["200"] = 0 };
        public LatencyHistogram Histogram { get; } = new();
        public long Requests;
        public long Errors;
        public long Restarts;
        public double RequestCarry;
        public double ErrorCarry;
        public double RestartCarry;
        public readonly double[] LatencyCarry = new double[LatencyShape.Length];

        public void Add(string code, long count)
        {
            if (count <= 0) return;
            RequestsByCode[code] = RequestsByCode.GetValueOrDefault(code) + count;
        }
    }
}

/// <summary>Every series of one workload at one instant.</summary>
public sealed record WorkloadSnapshot(
    Remediation.Alerts.WorkloadKey Key,
    DateTimeOffset At,
    IReadOnlyList<VersionSnapshot> Versions,
    double CertificateExpirySeconds,
    IReadOnlyDictionary<string, bool> DependencyUp);

public sealed record VersionSnapshot(string Version, IReadOnlyDictionary<string, long> RequestsByCode, HistogramSnapshot Latency, long Restarts)
{
    public long Requests => RequestsByCode.Values.Sum();

    public long ServerErrors => RequestsByCode.Where(c => c.Key.StartsWith('5')).Sum(c => c.Value);
}
