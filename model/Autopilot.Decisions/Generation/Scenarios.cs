using Autopilot.Decisions.Cases;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Decisions.Generation;

/// <summary>
/// The generated situations per shipped SOP, each labelled with what the SOP prescribes for those facts: the fault
/// confirmed by the backend's own metrics, the same alert when another backend (the stable one) fails too, and the
/// alert the metrics do not confirm. Thresholds are the health defaults (error ratio 5 %, p99 1000 ms, 2 restarts),
/// which the fact sheet states as "out-of-bounds" on the backend's line.
/// </summary>
internal static class Scenarios
{
    public const double MaxErrorRatio = 0.05;
    public const double MaxP99Ms = 1000;
    public const int MaxRestarts = 2;

    private static Dictionary<string, string> Version(string version) => new(StringComparer.Ordinal) { ["version"] = version };

    public static DecisionCase CanaryErrors(CaseDraft d, Random r, string id)
    {
        const string sop = "canary-high-error-rate";
        var faulty = d.Versions[r.Next(1, d.Versions.Count)];
        var variant = r.Next(10);
        if (variant != 9) d.Of(faulty).ErrorRatio = Math.Round(0.06 + r.NextDouble() * 0.9, 3);
        d.AddAlert("CanaryHighErrorRate", "critical", Version(faulty), r.Next(2) == 0
            ? $"Canary {faulty} 5xx ratio above 5%"
            : $"{faulty} of {d.Workload} answers {Prometheus(Math.Max(0.051, d.Of(faulty).ErrorRatio))} 5xx");
        if (variant == 9)
        {
            // Stale or forged: the backend the alert names is healthy now.
            return d.Build(id, sop, "alert not confirmed by the canary's own error ratio", Expect([ActionNames.Escalate, ActionNames.NoAction], faulty),
                new Escalate($"{faulty} err within bounds; alert not confirmed"));
        }
        if (variant >= 7)
        {
            d.Of(d.Stable).ErrorRatio = Math.Round(0.06 + r.NextDouble() * 0.6, 3);
            return d.Build(id, sop, "the stable backend fails too: not a canary problem", Expect([ActionNames.Escalate], d.Stable, "err"),
                new Escalate($"{d.Stable} (stable) err out of bounds too; not a canary fault"));
        }
        if (variant == 6 && r.Next(2) == 0)
        {
            d.RouteUnreadable = true;
            return d.Build(id, sop, "route unreadable: only escalation is possible", Expect([ActionNames.Escalate], faulty),
                new Escalate($"{faulty} err out of bounds; route unknown"));
        }
        return d.Build(id, sop, "canary fails, stable healthy", Expect([ActionNames.RollbackCanary, ActionNames.ShiftTraffic], faulty, "err") with
        {
            Weights = new Dictionary<string, WeightBound> { [faulty] = new(Max: Math.Max(0, d.WeightOf(faulty) - 1)) },
        }, new RollbackCanary(d.Route, $"{faulty} err out of bounds (>5%)"));
    }

    public static DecisionCase LatencyRegression(CaseDraft d, Random r, string id)
    {
        const string sop = "canary-latency-regression";
        var canary = d.Canary;
        var stable = d.Of(d.Stable);
        var variant = r.Next(10);
        var summary = r.Next(2) == 0 ? $"Canary {canary} p99 more than twice stable" : null;
        if (variant == 9)
        {
            d.AddAlert("CanaryLatencyRegression", "warning", Version(canary), summary ?? $"{canary} of {d.Workload} p99 latency is {r.Next(500, 900)} ms");
            return d.Build(id, sop, "alert not confirmed: the canary is as fast as stable", Expect([ActionNames.Escalate, ActionNames.NoAction], canary),
                new Escalate($"{canary} p99 within bounds; alert not confirmed"));
        }
        if (variant == 8)
        {
            stable.P99Ms = r.Next(1100, 4000);
            d.Of(canary).P99Ms = r.Next(1100, 4000);
            d.AddAlert("CanaryLatencyRegression", "warning", Version(canary), summary ?? $"{canary} of {d.Workload} p99 latency is {d.Of(canary).P99Ms:0} ms");
            return d.Build(id, sop, "stable is slow too", Expect([ActionNames.Escalate], d.Stable, "p99"),
                new Escalate($"{d.Stable} (stable) p99 out of bounds too; not a canary fault"));
        }
        if (variant >= 5)
        {
            d.Of(canary).P99Ms = r.Next(1100, 5000);
            d.AddAlert("CanaryLatencyRegression", "warning", Version(canary), summary ?? $"{canary} of {d.Workload} p99 latency is {d.Of(canary).P99Ms:0} ms");
            return d.Build(id, sop, "canary p99 above the SLO: roll back", Expect([ActionNames.RollbackCanary, ActionNames.ShiftTraffic], canary, "p99") with
            {
                Weights = new Dictionary<string, WeightBound> { [canary] = new(Max: Math.Max(0, d.WeightOf(canary) - 1)) },
            }, new RollbackCanary(d.Route, $"{canary} p99 out of bounds (>1000ms)"));
        }
        stable.P99Ms = Math.Min(stable.P99Ms, 300);
        d.Of(canary).P99Ms = r.Next((int)(2.2 * stable.P99Ms), 1000);
        d.AddAlert("CanaryLatencyRegression", "warning", Version(canary), summary ?? $"{canary} of {d.Workload} p99 latency is {d.Of(canary).P99Ms:0} ms");
        var newCanary = Math.Max(0, d.WeightOf(canary) - 25);
        var weights = d.Versions.ToDictionary(v => v, v => v == canary ? newCanary : v == d.Stable ? 100 - newCanary - (100 - d.WeightOf(d.Stable) - d.WeightOf(canary)) : d.WeightOf(v));
        return d.Build(id, sop, "canary slower than stable, under the SLO: shift a step", Expect([ActionNames.ShiftTraffic, ActionNames.RollbackCanary], canary, "p99") with
        {
            Weights = new Dictionary<string, WeightBound> { [canary] = new(Max: Math.Max(0, d.WeightOf(canary) - 1)) },
        }, new ShiftTraffic(d.Route, weights, $"{canary} p99 over 2x stable; shift a step"));
    }

    public static DecisionCase CrashLoop(CaseDraft d, Random r, string id)
    {
        const string sop = "pod-crash-looping";
        var variant = r.Next(10);
        var crashing = variant >= 7 ? d.Stable : d.Versions[r.Next(1, d.Versions.Count)];
        d.Of(crashing).Restarts = variant == 9 ? r.Next(0, MaxRestarts + 1) : r.Next(MaxRestarts + 1, 60);
        d.AddAlert("PodCrashLooping", r.Next(2) == 0 ? "critical" : "warning", Version(crashing), r.Next(2) == 0
            ? $"Pods of {crashing} restart repeatedly"
            : $"{crashing} of {d.Workload} restarted {Math.Max(4, d.Of(crashing).Restarts)} times");
        if (variant == 9)
        {
            return d.Build(id, sop, "alert not confirmed: restarts within bounds", Expect([ActionNames.Escalate, ActionNames.NoAction], crashing),
                new Escalate($"{crashing} restarts within bounds; alert not confirmed"));
        }
        if (r.Next(2) == 0) d.Of(crashing).ErrorRatio = Math.Round(0.06 + r.NextDouble() * 0.5, 3);
        if (crashing == d.Stable)
            return d.Build(id, sop, "the stable backend crash-loops: isolating it is a human decision", Expect([ActionNames.Escalate], crashing, "restarts"),
                new Escalate($"{crashing} (stable) restarts out of bounds; needs a human"));
        // With one canary, rolling back is the same traffic change as isolating it and needs no approval; with more,
        // only isolating the crashing one keeps the healthy canaries serving.
        if (d.Versions.Count == 2)
            return d.Build(id, sop, "the canary crash-loops: roll back", Expect([ActionNames.RollbackCanary, ActionNames.IsolateBackend], crashing, "restarts") with
            {
                Isolate = [crashing],
                Weights = new Dictionary<string, WeightBound> { [crashing] = new(Max: 0) },
            }, new RollbackCanary(d.Route, $"{crashing} restarts out of bounds; crash-looping"));
        return d.Build(id, sop, "one of several canaries crash-loops: isolate it", Expect([ActionNames.IsolateBackend, ActionNames.RollbackCanary], crashing, "restarts") with
        {
            Isolate = [crashing],
            Weights = new Dictionary<string, WeightBound> { [crashing] = new(Max: 0) },
        }, new IsolateBackend(d.Route, crashing, $"{crashing} restarts out of bounds; crash-looping"));
    }

    public static DecisionCase Surge(CaseDraft d, Random r, string id)
    {
        const string sop = "traffic-surge";
        var average = r.Next(60, 1300);
        var variant = r.Next(10);
        var now = variant == 9 ? average * (0.8 + r.NextDouble() * 0.4) : average * (2.5 + r.NextDouble() * 3.5);
        Scale(d, now);
        var rps = Facts.Number(d.TotalRps);
        // Some alert rules state the hour's average, some only the current rate (as the simulator's does).
        var withAverage = r.Next(2) == 0;
        d.AddAlert("TrafficSurge", "warning", null, withAverage
            ? $"Requests at {rps} rps, 1h average {average} rps"
            : $"{d.Workload} receives {rps} requests/s");
        if (variant == 9)
            return d.Build(id, sop, "alert not confirmed: traffic at its usual level", Expect([ActionNames.Escalate, ActionNames.NoAction], "rps"),
                new Escalate($"{d.Service} rps at its usual rate; alert not confirmed"));
        // The SOP: start from the hour's average × 1.5; without it, shed a good part of the surge.
        var limit = Math.Clamp((int)Math.Round((withAverage ? average * 1.5 : d.TotalRps * 0.6) / 10) * 10, 50, 2000);
        return d.Build(id, sop, "surge well above the usual rate: rate limit", Expect([ActionNames.SetRateLimit], "rps") with
        {
            RequestsPerSecond = new RateBound(50, Math.Clamp((int)d.TotalRps - 1, 50, 2000)),
        }, new SetRateLimit(d.Route, limit, withAverage ? $"{d.Service} rps over 1.5x the hour's average; limit {limit}" : $"{d.Service} rps over capacity; limit {limit}"));
    }

    public static DecisionCase AllVersions(CaseDraft d, Random r, string id)
    {
        foreach (var h in d.Health) h.ErrorRatio = Math.Round(0.08 + r.NextDouble() * 0.85, 3);
        d.AddAlert("AllVersionsFailing", "critical", null, r.Next(2) == 0 ? "Every version of the workload returns 5xx" : $"All versions of {d.Workload} are failing");
        return d.Build(id, "all-versions-failing", "every version fails: escalate", Expect([ActionNames.Escalate], d.Stable, "err"),
            new Escalate($"{d.Stable} (stable) and every other version err out of bounds; all versions failing"));
    }

    public static DecisionCase Dependency(CaseDraft d, Random r, string id)
    {
        var dependency = d.Names.Dependency();
        foreach (var h in d.Health) h.ErrorRatio = Math.Round(0.05 + r.NextDouble() * 0.6, 3);
        d.AddAlert("DependencyOutage", "critical", new Dictionary<string, string> { ["dependency"] = dependency },
            r.Next(2) == 0 ? $"{dependency} unreachable" : $"Dependency {dependency} of {d.Workload} is down");
        return d.Build(id, "dependency-outage", "a shared dependency is down: rerouting cannot help", Expect([ActionNames.Escalate], dependency),
            new Escalate($"{dependency} down; rerouting cannot help"));
    }

    public static DecisionCase Certificate(CaseDraft d, Random r, string id)
    {
        var days = r.Next(1, 15);
        if (r.Next(2) == 0)
        {
            // As the simulator's rule says it: the workload's serving certificate, no host label.
            d.AddAlert("CertificateExpiringSoon", "warning", null, $"The serving certificate of {d.Workload} expires in {days}.00:00:00");
            return d.Build(id, "certificate-expiring-soon", "certificate renewal is a human task", Expect([ActionNames.Escalate], d.Service),
                new Escalate($"{d.Service} certificate expires soon; renew it"));
        }
        var host = d.Names.Host(d.Service);
        d.AddAlert("CertificateExpiringSoon", "warning", new Dictionary<string, string> { ["certificate"] = host }, $"Certificate for {host} expires in {days} days");
        return d.Build(id, "certificate-expiring-soon", "certificate renewal is a human task", Expect([ActionNames.Escalate], host),
            new Escalate($"{host} certificate expires soon; renew it"));
    }

    public static DecisionCase Flapping(CaseDraft d, Random r, string id)
    {
        if (r.Next(2) == 0)
        {
            // As the simulator's rule says it: a version whose failing state keeps flipping.
            var version = d.Canary;
            d.Of(version).ErrorRatio = Math.Round(r.NextDouble() * 0.09, 3);
            d.AddAlert("AlertFlapping", "info", Version(version), $"{version} of {d.Workload} keeps flipping between failing and healthy");
            // The SOP: escalate to the rule's owner only when the flapping hides a real signal (health out of bounds).
            IReadOnlyList<string> acceptable = d.Of(version).ErrorRatio > MaxErrorRatio ? [ActionNames.NoAction, ActionNames.Escalate] : [ActionNames.NoAction];
            return d.Build(id, "alert-flapping", "noise: change nothing", Expect(acceptable, version),
                new NoAction($"{version} is flapping; no traffic change"));
        }
        var flapping = d.Names.Pick(["HighLatency", "ErrorBudgetBurn", "QueueDepthHigh", "CanaryHighErrorRate", "SlowResponses"]);
        d.AddAlert("AlertFlapping", "info", new Dictionary<string, string> { ["flapping_alert"] = flapping }, $"{flapping} changed state 6 times in 10 minutes");
        return d.Build(id, "alert-flapping", "noise: change nothing", Expect([ActionNames.NoAction], flapping),
            new NoAction($"{flapping} is flapping; no traffic change"));
    }

    public static DecisionCase NoSop(CaseDraft d, Random r, string id)
    {
        var name = d.Names.Pick(["HighMemoryUsage", "SlowQueries", "QueueBacklog", "GCPauseLong", "ThreadPoolStarved", "DiskLatencyHigh"]);
        d.AddAlert(name, r.Next(2) == 0 ? "warning" : "critical", null, $"{name} on {d.Service}");
        return d.Build(id, null, "no SOP covers this alert: escalate without the model", Expect([ActionNames.Escalate]), target: null);
    }

    /// <summary>A ratio as Prometheus rule templates print it ("40.0 %").</summary>
    private static string Prometheus(double ratio) => ratio.ToString("P1", System.Globalization.CultureInfo.InvariantCulture);

    private static void Scale(CaseDraft d, double total)
    {
        d.TotalRps = Math.Round(total);
        for (var i = 0; i < d.Versions.Count; i++) d.Health[i].Rps = Math.Round(total * d.Weights[i] / 100.0, 1);
    }

    private static CaseExpectation Expect(IReadOnlyList<string> actions, params string[] reasonNames) =>
        new() { Actions = actions, ReasonNames = reasonNames };
}
