using Autopilot.Decisions.Cases;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Decisions.Generation;

/// <summary>One generated incident being assembled: a workload behind a weighted route, its backends' health and
/// its alerts. Scenarios set the fault; <see cref="Build"/> freezes it into a case.</summary>
internal sealed class CaseDraft
{
    private readonly Random _random;
    private readonly List<CaseAlert> _alerts = [];

    public CaseDraft(Random random, CaseNames names, DateTimeOffset now, int backends)
    {
        _random = random;
        Names = names;
        Now = now;
        Namespace = names.Namespace();
        Service = names.Service();
        Versions = names.Versions(Service, backends);
        var canaryShare = random.Next(5) switch { 0 => 1, 1 => 5, 2 => 10, 3 => 25, _ => random.Next(2, 51) };
        Weights = new int[Versions.Count];
        if (Versions.Count == 1) Weights[0] = 100;
        else
        {
            var perCanary = Math.Max(1, canaryShare / (Versions.Count - 1));
            for (var i = 1; i < Versions.Count; i++) Weights[i] = perCanary;
            Weights[0] = 100 - perCanary * (Versions.Count - 1);
        }
        TotalRps = random.Next(4) == 0 ? random.Next(5, 60) : random.Next(60, 1500);
        // Healthy versions answer about as fast as each other: a p99 twice the stable's is a fault of its own.
        var stableLatency = Healthy.Latency(random);
        Health = Versions.Select((v, i) => new BackendHealth(v, Healthy.Errors(random),
            i == 0 ? stableLatency : Math.Round(stableLatency * (0.8 + random.NextDouble() * 0.5)), TotalRps * Weights[i] / 100.0, 0)).ToArray();
    }

    public CaseNames Names { get; }
    public DateTimeOffset Now { get; }
    public string Namespace { get; }
    public string Service { get; }
    public string Workload => $"{Namespace}/{Service}";
    public string Route => $"{Namespace}/{Service}";
    public IReadOnlyList<string> Versions { get; }
    public int[] Weights { get; }
    public double TotalRps { get; set; }
    public BackendHealth[] Health { get; }
    public string Stable => Versions[0];
    public string Canary => Versions[^1];
    public bool RouteUnreadable { get; set; }

    public int WeightOf(string version) => Weights[Versions.ToList().IndexOf(version)];

    public BackendHealth Of(string version) => Health.First(h => h.Version == version);

    public void AddAlert(string name, string severity, IDictionary<string, string>? labels = null, string? summary = null,
        string status = "firing", TimeSpan? age = null)
    {
        var all = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal) { ["severity"] = severity };
        // Replicas alert one by one: the fact sheet folds them, a model must see the same thing it sees in production.
        var replicas = _random.Next(4) == 0 ? _random.Next(2, 5) : 1;
        var started = Now - (age ?? TimeSpan.FromSeconds(_random.Next(20, 900)));
        for (var r = 0; r < replicas; r++)
        {
            var replicaLabels = new Dictionary<string, string>(all, StringComparer.Ordinal);
            if (replicas > 1) replicaLabels["pod"] = $"{Service}-{_random.Next(0x10000, 0xFFFFF):x5}";
            _alerts.Add(new CaseAlert(name, replicaLabels, started.AddSeconds(r * _random.Next(1, 20)))
            {
                Status = status,
                EndsAt = status == "resolved" ? Now - TimeSpan.FromSeconds(_random.Next(5, 120)) : null,
                Annotations = summary is null || _random.Next(5) == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { ["summary"] = summary },
            });
        }
    }

    /// <summary>Alerts no SOP is about, as a busy cluster sends them alongside the real one.</summary>
    public void AddNoise(int count)
    {
        for (var i = 0; i < count; i++)
        {
            switch (_random.Next(5))
            {
                case 0: AddAlert("Watchdog", "none", summary: "Alerting pipeline is alive"); break;
                case 1: AddAlert("KubeNodeMemoryPressure", "warning", new Dictionary<string, string> { ["node"] = $"node-{_random.Next(1, 40)}" }, "Node memory above 90%"); break;
                case 2: AddAlert("HighDiskUsage", "warning", new Dictionary<string, string> { ["device"] = "/dev/sda1" }, "Disk usage above 85%"); break;
                case 3: AddAlert("KubeJobFailed", "warning", new Dictionary<string, string> { ["job_name"] = $"{Service}-backup" }, "Backup job failed"); break;
                default: AddAlert("CPUThrottlingHigh", "info", new Dictionary<string, string> { ["container"] = Service }, "CPU throttled 30% of the time"); break;
            }
        }
    }

    /// <summary>Earlier actions on this workload, as the incident loop remembers them (oldest first).</summary>
    public List<string> RecentActions { get; } = [];

    /// <summary>Adds an earlier change that has since been restored, as re-triaged incidents show it.</summary>
    public void AddEarlierChange()
    {
        if (Versions.Count < 2) return;
        var at = Now - TimeSpan.FromMinutes(_random.Next(15, 300));
        var before = string.Join(" ", Versions.Select((v, i) => $"{v}={Weights[i]}"));
        var after = string.Join(" ", Versions.Select((v, i) => $"{v}={(i == 0 ? 100 : 0)}"));
        RecentActions.Add($"{at.UtcDateTime:yyyy'-'MM'-'dd HH':'mm':'ss'Z'} rollback_canary {after} (was {before})");
        RecentActions.Add($"{at.AddMinutes(_random.Next(3, 12)).UtcDateTime:yyyy'-'MM'-'dd HH':'mm':'ss'Z'} restore {before}");
    }

    public DecisionCase Build(string id, string? sop, string note, CaseExpectation expect, Proposal? target) => new()
    {
        Id = id,
        Sop = sop,
        Note = note,
        Now = Now,
        Workload = Workload,
        Route = RouteUnreadable ? null : new CaseRoute(Route, Stable, [.. Versions.Select((v, i) => new CaseBackend(v, Weights[i]))]),
        Metrics = [.. Health.Select(h => new CaseMetric(h.Version, h.ErrorRatio, h.P99Ms, Math.Round(h.Rps, 1), h.Restarts)
        {
            At = Now - TimeSpan.FromSeconds(_random.Next(2, 30)),
        })],
        Alerts = [.. _alerts],
        RecentActions = [.. RecentActions],
        Expect = expect,
        Target = target is null ? null : ProposalJson.Serialize(target),
    };
}

/// <summary>One backend's health at triage (ratios 0..1, latency in ms).</summary>
internal sealed record BackendHealth(string Version, double ErrorRatio, double P99Ms, double Rps, int Restarts)
{
    public double ErrorRatio { get; set; } = ErrorRatio;
    public double P99Ms { get; set; } = P99Ms;
    public double Rps { get; set; } = Rps;
    public int Restarts { get; set; } = Restarts;
}

/// <summary>Values a healthy backend shows.</summary>
internal static class Healthy
{
    public static double Errors(Random random) => Math.Round(random.NextDouble() * 0.02, 4);
    public static double Latency(Random random) => random.Next(15, 250);
}
