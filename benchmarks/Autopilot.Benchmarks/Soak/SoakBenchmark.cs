using System.Diagnostics;
using System.Globalization;
using Autopilot.Benchmarks.Storm;
using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Benchmarks.Soak;

/// <summary>
/// Does the stand-alone host's memory stay flat? For M minutes, one alert a second through the webhook, round-robin
/// over W workloads with a failing canary: each alert is a new pod (a new fingerprint) and resolves 5 s later, so
/// incidents keep opening, planning (with the shipped model), being denied by a policy that allows no traffic change,
/// escalating and settling, and the journal, state files and dead-letter list keep growing on disk. Samples resident
/// memory and the managed heap every 30 s, prints them as they come and as a chart, and the growth per hour over the
/// second half of the run (the first half includes warm-up). Usage: soak [--minutes 30] [--workloads 10]
/// </summary>
public static class SoakBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = Option(args, "--minutes", 30);
        var workloadCount = Option(args, "--workloads", 10);
        var root = StormBenchmark.FindRoot();
        var specs = Enumerable.Range(0, workloadCount).Select(i => WorkloadSpec.Checkout() with
        {
            Key = new WorkloadKey("shop", $"soak-{i:00}"),
            Versions = [new VersionSpec($"soak-{i:00}-v1", 90), new VersionSpec($"soak-{i:00}-v2", 10)],
            StableVersion = $"soak-{i:00}-v1",
        }).ToList();
        var state = Path.Combine(Path.GetTempPath(), "autopilot-soak", Guid.NewGuid().ToString("N"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var environment = await SimulatedEnvironment.StartAsync(specs, NullLoggerFactory.Instance);
        var evaluator = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http);
        foreach (var spec in specs) environment.Cluster.Inject(spec.Key, new ErrorRateFault("v2-5xx", spec.Versions[1].Name, 0.4));
        var configuration = new Dictionary<string, string?>
        {
            ["Autopilot:Guardrail:PolicyDirectory"] = Path.Combine(root, "benchmarks", "Autopilot.Benchmarks", "Storm", "policies-deny"),
        };
        await using var host = await AutopilotHost.StartAsync(
            StandaloneSettings.ForSimulator(environment, evaluator.History, state, root) with
            {
                Configuration = configuration,
                ModelPath = Path.Combine(root, Autopilot.Decisions.ShippedModel.ModelPath),
            });
        http.DefaultRequestHeaders.Authorization = new("Bearer", host.WebhookToken); // as Alertmanager sends it
        Console.WriteLine($"soak: 1 alert/s for {minutes} min over {workloadCount} workloads (each resolves after 5 s; every change denied), " +
                          $"{Environment.ProcessorCount} cores; state in {state}");
        Console.WriteLine("  time   RSS MB  heap MB  incidents  alerts  dead letters");

        var samples = new List<(double Minutes, double RssMb, double HeapMb)>();
        var started = Stopwatch.StartNew();
        var posted = 0;
        var pending = new Queue<(WorkloadSpec Spec, int Pod, TimeSpan At)>();
        var nextSample = TimeSpan.Zero;
        while (started.Elapsed < TimeSpan.FromMinutes(minutes))
        {
            var spec = specs[posted % specs.Count];
            await StormBenchmark.PostAsync(http, host.WebhookUrl, spec, posted);
            pending.Enqueue((spec, posted, started.Elapsed));
            posted++;
            while (pending.TryPeek(out var due) && started.Elapsed - due.At >= TimeSpan.FromSeconds(5))
            {
                pending.Dequeue();
                await StormBenchmark.PostAsync(http, host.WebhookUrl, due.Spec, due.Pod, resolved: true);
            }
            if (started.Elapsed >= nextSample)
            {
                samples.Add(Sample(started.Elapsed, host, posted));
                nextSample += TimeSpan.FromSeconds(30);
            }
            var wait = TimeSpan.FromSeconds(posted) - started.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        samples.Add(Sample(started.Elapsed, host, posted));

        Chart(samples);
        var secondHalf = samples.Where(s => s.Minutes >= minutes / 2.0).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RSS {samples[0].RssMb:0} MB at start, {samples.Max(s => s.RssMb):0} MB at most, {samples[^1].RssMb:0} MB at the end; " +
            $"growth over the second half: {Slope(secondHalf, s => s.RssMb) * 60:0.#} MB/h resident, {Slope(secondHalf, s => s.HeapMb) * 60:0.#} MB/h managed heap"));
        return 0;
    }

    private static (double Minutes, double RssMb, double HeapMb) Sample(TimeSpan at, AutopilotHost host, int posted)
    {
        using var self = Process.GetCurrentProcess();
        var sample = (at.TotalMinutes, self.WorkingSet64 / 1048576.0, GC.GetTotalMemory(forceFullCollection: false) / 1048576.0);
        var incidents = host.Journal.ListAsync(new Autopilot.Incidents.Ports.IncidentQuery(Limit: 1000), default).GetAwaiter().GetResult().Count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(int)at.TotalMinutes,3}:{at.Seconds:00}  {sample.Item2,7:0}  {sample.Item3,7:0}  {incidents,9}  {posted,6}  {host.Topic.DeadLetterCount,12}"));
        return sample;
    }

    /// <summary>Resident memory over time, one row per sample, scaled to the largest.</summary>
    private static void Chart(IReadOnlyList<(double Minutes, double RssMb, double HeapMb)> samples)
    {
        var top = samples.Max(s => s.RssMb);
        Console.WriteLine("resident memory over the run:");
        foreach (var (minutes, rss, _) in samples)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {minutes,5:0.0} min {new string('█', (int)Math.Round(50 * rss / top)),-50} {rss:0} MB"));
    }

    /// <summary>Least-squares slope in MB per minute.</summary>
    private static double Slope(IReadOnlyList<(double Minutes, double RssMb, double HeapMb)> samples, Func<(double Minutes, double RssMb, double HeapMb), double> value)
    {
        if (samples.Count < 2) return double.NaN;
        var meanX = samples.Average(s => s.Minutes);
        var meanY = samples.Average(value);
        var covariance = samples.Sum(s => (s.Minutes - meanX) * (value(s) - meanY));
        var variance = samples.Sum(s => (s.Minutes - meanX) * (s.Minutes - meanX));
        return variance == 0 ? double.NaN : covariance / variance;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0) return fallback;
        if (index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
            return value;
        throw new ArgumentException($"soak: {name} needs a whole number of at least 1.");
    }
}
