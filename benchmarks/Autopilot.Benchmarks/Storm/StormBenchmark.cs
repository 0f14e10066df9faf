using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Autopilot.InferencePool.Engine.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Autopilot.Benchmarks.Storm;

/// <summary>
/// Alert storm through the stand-alone webhook: W workloads (shop/storm-000…) each with a bad canary, and A distinct
/// CanaryHighErrorRate alerts per workload (one per pod) posted over D seconds, each alert in its own Alertmanager
/// payload. Measures alert-to-change latency (first alert of a workload posted → its mitigation applied), incidents
/// handled, changes applied, lost alerts, policy violations and peak RSS; then the same with one workload.
/// With --escalation, the escalation-storm pattern instead: a policy that denies every traffic change, so each
/// workload's incident escalates while its pod alerts keep arriving; one problem must make one incident, one model
/// call and one escalation per workload.
/// Usage: storm [--escalation] [--workloads 100] [--alerts 20] [--seconds 10] [--wait 600] [--deadline-ms N] [--lease-wait-ms N]
/// [--model file.gguf] [--set Section:Key=value ...] (default model: the shipped decision model) (the deadline and lease wait override Autopilot:Planning:DeadlineMs and LeaseWaitMs,
/// --set any other configuration key; without them the shipped defaults apply)
/// </summary>
public static class StormBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var workloads = Option(args, "--workloads", 100);
        var root = FindRoot();
        var model = TextOption(args, "--model") is { } path ? Path.GetFullPath(path) : Path.Combine(root, Autopilot.Decisions.ShippedModel.ModelPath);
        var storm = new StormSettings(Option(args, "--alerts", 20), Option(args, "--seconds", 10), Option(args, "--wait", 600),
            OptionalOption(args, "--deadline-ms"), OptionalOption(args, "--lease-wait-ms"), Overrides(args), model, args.Contains("--escalation"));
        if (storm.Escalation) return await RunEscalationStormAsync(root, workloads, storm);
        Console.WriteLine($"alert storm: {workloads} workloads × {storm.Alerts} alerts in {storm.Seconds} s through POST /alertmanager " +
                          $"({Environment.ProcessorCount} cores, model {Path.GetFileName(model)}, built-in health series)");

        // A server that has run for a while has its hot paths compiled at full optimisation; a fresh process spends
        // a core on (re)compiling them during its first storm. Warm up on a storm as wide as the measured one (fewer
        // alerts each), let the runtime finish compiling what it made hot, and measure after.
        var warmup = await RunOnceAsync(root, workloads, storm with { Alerts = 5, Seconds = 5 }, warmUp: true);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Console.WriteLine($"warm-up: {workloads} workloads × 5 alerts, {warmup.Incidents} incidents (not measured)");
        var single = await RunOnceAsync(root, 1, storm);
        Print("1 workload", single);
        var many = await RunOnceAsync(root, workloads, storm);
        Print($"{workloads} workloads", many);
        Console.WriteLine($"ratio {workloads}/1: p50 {Ratio(many.P50, single.P50)}, p99 {Ratio(many.P99, single.P99)}, " +
                          $"peak RSS {many.PeakRssMb / Math.Max(1, single.PeakRssMb):F2}×");
        return many.Incidents == workloads && many.LostAlerts == 0 && many.Violations == 0 ? 0 : 1;
    }

    /// <summary>The escalation storm: after the first alert's incident is denied, the other pods' alerts must join it.</summary>
    private static async Task<int> RunEscalationStormAsync(string root, int workloads, StormSettings storm)
    {
        Console.WriteLine($"escalation storm: every traffic change denied; each workload's {storm.Alerts} pod alerts must make 1 incident, 1 model call, 1 escalation");
        var result = await RunOnceAsync(root, workloads, storm);
        Print($"{workloads} workloads, escalation storm", result);
        return result.IncidentsOpened == workloads && result.Escalations == workloads && result.ModelProposals + result.Fallbacks == workloads
               && result.LostAlerts == 0 && result.Changes == 0 ? 0 : 1;
    }

    private sealed record StormSettings(int Alerts, int Seconds, int WaitSeconds, int? DeadlineMs, int? LeaseWaitMs,
        IReadOnlyDictionary<string, string> Overrides, string Model, bool Escalation = false);

    private sealed record Result(int Workloads, int AlertsPosted, int Incidents, int Changes, long LostAlerts, long Recorded, int StillQueued, int DeadLetters, int Violations,
        double P50, double P99, double Max, double PeakRssMb, double PostSeconds, double CpuSeconds, int ModelProposals, int Fallbacks,
        long JitMethods, double JitSeconds, int IncidentsOpened, int Escalations);

    private static async Task<Result> RunOnceAsync(string root, int workloadCount, StormSettings settings, bool warmUp = false)
    {
        var (alertsPerWorkload, seconds, waitSeconds) = (settings.Alerts, settings.Seconds, settings.WaitSeconds);
        var specs = Enumerable.Range(0, workloadCount).Select(i => WorkloadSpec.Checkout() with
        {
            Key = new WorkloadKey("shop", $"storm-{i:000}"),
            Versions = [new VersionSpec($"storm-{i:000}-v1", 90), new VersionSpec($"storm-{i:000}-v2", 10)],
            StableVersion = $"storm-{i:000}-v1",
        }).ToList();
        var state = Path.Combine(Path.GetTempPath(), "autopilot-storm", $"{workloadCount}-{Guid.NewGuid():N}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var environment = await SimulatedEnvironment.StartAsync(specs, NullLoggerFactory.Instance);
        // The evaluator only records series for the health source; its own notifications go nowhere.
        var evaluator = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http);
        foreach (var spec in specs) environment.Cluster.Inject(spec.Key, new ErrorRateFault("v2-5xx", spec.Versions[1].Name, 0.4));
        // Its own policy (no freeze windows): the same figures on any day of the week.
        var configuration = new Dictionary<string, string?>
        {
            ["Autopilot:Guardrail:PolicyDirectory"] = Path.Combine(root, "benchmarks", "Autopilot.Benchmarks", "Storm", settings.Escalation ? "policies-deny" : "policies"),
        };
        if (settings.DeadlineMs is { } deadlineMs) configuration["Autopilot:Planning:DeadlineMs"] = deadlineMs.ToString(CultureInfo.InvariantCulture);
        if (settings.LeaseWaitMs is { } leaseWaitMs) configuration["Autopilot:Planning:LeaseWaitMs"] = leaseWaitMs.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings.Overrides) configuration[key] = value;
        await using var host = await AutopilotHost.StartAsync(
            StandaloneSettings.ForSimulator(environment, evaluator.History, state, root) with { Configuration = configuration, ModelPath = settings.Model });
        http.DefaultRequestHeaders.Authorization = new("Bearer", host.WebhookToken); // as Alertmanager sends it
        await Task.Delay(TimeSpan.FromSeconds(3)); // let the model load and a few samples accumulate
        if (warmUp)
        {
            var planning = host.Services.GetRequiredService<IOptions<PlanningOptions>>().Value;
            var pool = host.Services.GetRequiredService<IOptions<PoolOptions>>().Value;
            Console.WriteLine($"settings in effect: {pool.MaxConcurrentSessions} pool sessions; a plan waits at most {planning.LeaseWaitMs} ms " +
                              $"for one and takes at most {(planning.DeadlineMs > 0 ? $"{planning.DeadlineMs} ms" : "the deadline the pool derives from the model's speed")} in all " +
                              "(past either, the SOP's safe default action is used)");
        }

        var firstPosted = new Dictionary<WorkloadKey, DateTimeOffset>();
        var total = specs.Count * alertsPerWorkload;
        var interval = TimeSpan.FromSeconds(seconds) / total;
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var (jitMethodsBefore, jitBefore) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var started = Stopwatch.StartNew();
        var posts = new List<Task>();
        for (var n = 0; n < total; n++)
        {
            var spec = specs[n % specs.Count];
            var pod = n / specs.Count;
            firstPosted.TryAdd(spec.Key, DateTimeOffset.UtcNow);
            posts.Add(PostAsync(http, host.WebhookUrl, spec, pod));
            var due = interval * (n + 1);
            if (due > started.Elapsed) await Task.Delay(due - started.Elapsed);
        }
        await Task.WhenAll(posts);
        var postSeconds = started.Elapsed.TotalSeconds;

        var deadline = DateTime.UtcNow.AddSeconds(waitSeconds);
        Dictionary<WorkloadKey, DateTimeOffset> applied = [];
        while (DateTime.UtcNow < deadline)
        {
            applied = await AppliedAsync(host, specs);
            if (applied.Count == specs.Count) break;
            // Nothing is applied in the escalation storm: done once every workload's incident is closed and every alert delivered.
            if (settings.Escalation && host.Topic.Pending == 0 && host.Journal.All.Count(r => !r.IsOpen) >= specs.Count) break;
            await Task.Delay(500);
        }
        self.Refresh();
        var cpuSeconds = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        // Methods the runtime (re)compiled meanwhile: CPU taken from the model on a fresh or barely warm process.
        var (jitMethods, jitSeconds) = (System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsBefore,
            (System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalSeconds);
        // Then let the alerts still queued behind the incidents' turns be delivered, so "lost" means lost.
        while (DateTime.UtcNow < deadline && host.Topic.Pending > 0) await Task.Delay(500);
        var queued = host.Topic.Pending;

        var latencies = applied.Select(a => (a.Value - firstPosted[a.Key]).TotalSeconds).Order().ToList();
        var records = host.Journal.All;
        var received = records.Sum(r => r.Alerts.Received);
        var violations = 0;
        var changes = 0;
        foreach (var spec in specs)
        {
            var guardrail = await host.Guardrails.ReadStateAsync(spec.Route, default);
            changes += guardrail.Ledger.Count(e => e.Action != "undo");
            violations += guardrail.Decisions.Values.Count(d => d.Status == DecisionStatus.Applied && d.Verdict is not { Allowed: true });
        }
        // Where the slowest incidents spent their time: opened (first alert recorded) and each step's end and length.
        foreach (var (key, at) in applied.OrderByDescending(a => a.Value - firstPosted[a.Key]).Take(warmUp ? 0 : 3))
        {
            var record = records.Where(r => r.Workload == key.ToString()).OrderBy(r => r.OpenedAt).First();
            var posted = firstPosted[key];
            Console.WriteLine($"  slow: {key} {(at - posted).TotalSeconds:0.00} s, opened +{(record.OpenedAt - posted).TotalSeconds:0.00} s, " +
                              string.Join(", ", record.Steps.TakeWhile(s => s.At <= at.AddSeconds(1)).Select(s =>
                                  $"{s.Step} +{(s.At - posted).TotalSeconds:0.00} s ({s.DurationMs:0} ms)")) + $" [{record.Plan?.Source}]");
        }
        self.Refresh();
        return new Result(specs.Count, total, records.Select(r => r.Workload).Distinct().Count(), changes,
            total - host.Topic.Delivered - host.Topic.DeadLetterCount - queued, received, queued, (int)host.Topic.DeadLetterCount, violations,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? double.NaN : latencies[^1],
            self.PeakWorkingSet64 / (1024.0 * 1024.0), postSeconds, cpuSeconds,
            records.Count(r => r.Plan?.Source.ToString() == "Model"), records.Count(r => r.Plan is { } p && p.Source.ToString() != "Model"),
            jitMethods, jitSeconds, records.Count, records.Sum(r => r.Escalations.Count));
    }

    private static async Task<Dictionary<WorkloadKey, DateTimeOffset>> AppliedAsync(AutopilotHost host, IReadOnlyList<WorkloadSpec> specs)
    {
        var applied = new Dictionary<WorkloadKey, DateTimeOffset>();
        foreach (var spec in specs)
        {
            var ledger = (await host.Guardrails.ReadStateAsync(spec.Route, default)).Ledger;
            if (ledger.FirstOrDefault() is { } first) applied[spec.Key] = first.At;
        }
        return applied;
    }

    /// <summary>One pod's CanaryHighErrorRate for the workload's canary, in its own Alertmanager payload.</summary>
    internal static async Task PostAsync(HttpClient http, Uri webhook, WorkloadSpec spec, int pod, bool resolved = false)
    {
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "CanaryHighErrorRate", ["namespace"] = spec.Key.Namespace, ["workload"] = spec.Key.Name,
            ["version"] = spec.Versions[1].Name, ["severity"] = "critical", ["pod"] = $"{spec.Versions[1].Name}-{pod}",
        };
        var alert = new WebhookAlert(resolved ? "resolved" : "firing", labels, new Dictionary<string, string> { ["summary"] = $"{spec.Versions[1].Name} answers 40% 5xx" },
            DateTimeOffset.UtcNow, DateTimeOffset.MinValue, "http://prometheus/graph", AlertmanagerWebhook.Fingerprint(labels));
        var payload = AlertmanagerWebhook.ForGroup(spec.Key.Namespace, spec.Key.Name, [alert], "http://alertmanager");
        using var content = new ByteArrayContent(payload.ToUtf8Json());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(webhook, content);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"webhook answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static void Print(string label, Result r) => Console.WriteLine(JsonSerializer.Serialize(new
    {
        run = label,
        workloads = r.Workloads,
        alerts_posted = r.AlertsPosted,
        post_seconds = Math.Round(r.PostSeconds, 1),
        cpu_seconds_until_last_change = Math.Round(r.CpuSeconds, 1),
        jit_methods_compiled = r.JitMethods,
        jit_seconds = Math.Round(r.JitSeconds, 2),
        incidents_handled = r.Incidents,
        incidents_opened = r.IncidentsOpened,
        escalations = r.Escalations,
        alerts_recorded_in_incidents = r.Recorded,
        changes_applied = r.Changes,
        lost_alerts = r.LostAlerts,
        alerts_still_queued = r.StillQueued,
        dead_letters = r.DeadLetters,
        policy_violations = r.Violations,
        proposals_from_model = r.ModelProposals,
        proposals_from_fallback = r.Fallbacks,
        // null, not NaN (which JSON cannot carry), when no change was applied: every other figure still prints.
        alert_to_change_p50_s = Seconds(r.P50),
        alert_to_change_p99_s = Seconds(r.P99),
        alert_to_change_max_s = Seconds(r.Max),
        peak_rss_mb = Math.Round(r.PeakRssMb),
    }));

    private static double? Seconds(double value) => double.IsFinite(value) ? Math.Round(value, 2) : null;

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Ratio(double a, double b) => b > 0 ? $"{a / b:F2}×" : "n/a";

    private static int Option(string[] args, string name, int fallback) => OptionalOption(args, name, min: 1) ?? fallback;

    private static int? OptionalOption(string[] args, string name, int min = 0)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0) return null;
        if (index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min)
            return value;
        throw new ArgumentException($"storm: {name} needs a whole number of at least {min}.");
    }

    private static string? TextOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0) return null;
        if (index + 1 < args.Length && File.Exists(args[index + 1])) return args[index + 1];
        throw new ArgumentException($"storm: {name} needs an existing GGUF file.");
    }

    private static Dictionary<string, string> Overrides(string[] args)
    {
        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--set") continue;
            var pair = i + 1 < args.Length ? args[i + 1].Split('=', 2) : [];
            if (pair.Length != 2 || pair[0].Length == 0)
                throw new ArgumentException("storm: --set needs Section:Key=value, e.g. --set InferencePool:Threads=1.");
            overrides[pair[0]] = pair[1];
        }
        return overrides;
    }

    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new InvalidOperationException("Run the storm benchmark inside the repository (it reads sops/ and policies/).");
    }
}
