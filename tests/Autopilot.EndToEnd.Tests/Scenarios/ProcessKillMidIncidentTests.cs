using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.GatewayBridge.Core.Journal;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.KubeApi;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Autopilot.EndToEnd.Tests.Scenarios;

/// <summary>
/// The stand-alone process is killed (SIGKILL, no clean stop) right after it moved traffic, before it verified:
/// the simulated cluster, Prometheus and Alertmanager live in the test process, so the route and the alerts outlive
/// it. A new process over the same state directory resumes the same incident, verifies and restores, and the route's
/// change journal holds the mitigation exactly once.
/// </summary>
public sealed class ProcessKillMidIncidentTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_process_resumes_the_incident_on_restart_without_a_duplicate_change()
    {
        Assert.True(PrometheusStack.MissingBinaries() is null, PrometheusStack.MissingBinaries());
        var workload = WorkloadSpec.Checkout();
        var state = TestContent.NewStateDirectory("process-kill");
        var policies = TestContent.PoliciesWithoutFreezeWindows();
        await using var environment = await SimulatedEnvironment.StartAsync([workload], NullLoggerFactory.Instance);
        await using var stack = await PrometheusStack.StartAsync(TestContent.NewStateDirectory("process-kill-prometheus"),
            environment.MetricsUrl, Path.Combine(RepoPaths.Root, "deploy", "prometheus", "rules-fast.yaml"), CancellationToken.None);
        var port = PrometheusStack.FreePort();
        var autopilot = new Uri($"http://127.0.0.1:{port}/");
        // The webhook token exists before either process starts, as a Kubernetes Secret would; serve reads it from its state.
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, AutopilotHost.WebhookTokenFile), token);
        await stack.StartAlertmanagerAsync(new Uri(autopilot, "/alertmanager"), token, CancellationToken.None);
        string[] arguments = ["serve", "--state", state, "--port", $"{port}", "--policies", policies,
            "--cluster-url", environment.Kube.Url.ToString(), "--prometheus-url", stack.PrometheusUrl.ToString()];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        using (var first = await ChildProcess.StartAsync(arguments, autopilot, http, state))
        {
            environment.Cluster.Inject(workload.Key, new ErrorRateFault("v2-5xx", "checkout-v2", 0.4));
            // Kill once the change is on the route and its decision is in the audit trail (written just after the
            // bridge answers), before the verification that follows a few seconds later.
            await Until(() => Task.FromResult(Journal(environment, workload.Route).Count >= 1 && HasRecordedDecision(state)),
                first, "the first process never applied and recorded a mitigation", 90);
            first.Kill();
        }
        var mitigation = Assert.Single(Journal(environment, workload.Route));
        var killed = Assert.Single(new FileIncidentJournal(new StateDirectory(state)).All);
        Assert.Equal(mitigation.IncidentId, killed.IncidentId);
        Assert.DoesNotContain(killed.Steps, s => s.Step == "verify");
        Assert.NotEqual(90, environment.Cluster.Routes.CurrentWeights(workload.Route)!.Single(w => w.Name == "checkout-v1").Weight);

        // While autopilot is down the fix ships; Alertmanager keeps retrying and repeating the alert.
        environment.Cluster.Clear(workload.Key, "v2-5xx");
        using (var second = await ChildProcess.StartAsync(arguments, autopilot, http, state))
        {
            await Until(async () => await RecordAsync(http, autopilot, mitigation.IncidentId) is { Restore.Completed: true }, second,
                $"incident {mitigation.IncidentId} did not resume and restore after the restart", 90);
            Assert.Equal(0, await second.StopAsync());
        }

        var journal = Journal(environment, workload.Route);
        Assert.Single(journal, e => e.ChangeId == mitigation.ChangeId);
        Assert.Equal(journal.Count, journal.Select(e => e.ChangeId).Distinct().Count());
        Assert.All(journal, e => Assert.Equal(mitigation.IncidentId, e.IncidentId));
        Assert.Equal([new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)], environment.Cluster.Routes.CurrentWeights(workload.Route));
        var record = Assert.Single(new FileIncidentJournal(new StateDirectory(state)).All);
        Assert.Equal(mitigation.IncidentId, record.IncidentId);
        Assert.Equal(DecisionStatus.Applied, record.Decision?.Status);
        Assert.Contains(record.Steps, s => s.Step == "verify");
        output.WriteLine($"incident {record.IncidentId}: {record.Phase}, changes {string.Join(", ", journal.Select(e => $"{e.Kind} {e.ChangeId}"))}");
    }

    private static bool HasRecordedDecision(string state) =>
        new FileIncidentJournal(new StateDirectory(state)).All.Any(r => r.Decision is not null);

    /// <summary>The route's change journal as the bridge wrote it into the fake Kubernetes API.</summary>
    private static IReadOnlyList<JournalEntry> Journal(SimulatedEnvironment environment, RouteRef route)
    {
        var annotations = environment.Kube.Store.Get(KubeResourceType.HttpRoute, route.Namespace, route.Name)["metadata"]?["annotations"] as JsonObject;
        var json = annotations?[RouteJournal.Annotation]?.GetValue<string>();
        return json is null ? [] : RouteJournal.FromAnnotations(new Dictionary<string, string> { [RouteJournal.Annotation] = json }).Entries;
    }

    private static async Task<IncidentRecord?> RecordAsync(HttpClient http, Uri autopilot, string incidentId)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(autopilot, $"/incidents/{Uri.EscapeDataString(incidentId)}"));
            return response.IsSuccessStatusCode
                ? await JsonSerializer.DeserializeAsync<IncidentRecord>(await response.Content.ReadAsStreamAsync(), StateDirectory.Json)
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task Until(Func<Task<bool>> condition, ChildProcess child, string failure, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (child.HasExited) Assert.Fail($"{failure}: the process exited with {child.ExitCode}\n{child.Diagnostics()}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"{failure} (waited {seconds} s)\n{child.Diagnostics()}");
            await Task.Delay(250);
        }
    }

    /// <summary>`dotnet autopilot.dll ...` as a child process; disposing it kills whatever is left of it.</summary>
    private sealed class ChildProcess : IDisposable
    {
        private const int SigTerm = 15;
        private readonly Process _process;
        private readonly StringBuilder _console = new();
        private readonly string _state;

        private ChildProcess(Process process, string state)
        {
            _process = process;
            _state = state;
        }

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public static async Task<ChildProcess> StartAsync(IReadOnlyList<string> arguments, Uri autopilot, HttpClient http, string state)
        {
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                WorkingDirectory = RepoPaths.Root, // sops/ are read from the content root
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autopilot.dll"));
            foreach (var argument in arguments) info.ArgumentList.Add(argument);
            var child = new ChildProcess(Process.Start(info) ?? throw new InvalidOperationException("Could not start autopilot."), state);
            child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
            child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
            child._process.BeginOutputReadLine();
            child._process.BeginErrorReadLine();
            try
            {
                await Until(() => IsServingAsync(http, autopilot), child, "autopilot serve did not start", 60);
            }
            catch
            {
                child.Dispose();
                throw;
            }
            return child;
        }

        private static async Task<bool> IsServingAsync(HttpClient http, Uri autopilot)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(autopilot, "/incidents"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        /// <summary>SIGKILL: no clean stop, nothing flushed beyond what was already on disk.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10))) Assert.Fail("the killed process did not go away");
        }

        /// <summary>SIGTERM, as a service manager would stop it; returns the exit code.</summary>
        public async Task<int> StopAsync()
        {
            if (kill(_process.Id, SigTerm) != 0) Assert.Fail($"could not send SIGTERM to {_process.Id}");
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return _process.ExitCode;
        }

        public string Diagnostics()
        {
            var log = Path.Combine(_state, "autopilot.log");
            var tail = File.Exists(log) ? string.Join("\n", File.ReadLines(log).TakeLast(40)) : "(no log)";
            lock (_console) return $"console:\n{_console}\nlog tail:\n{tail}";
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_console) _console.AppendLine(line);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
            catch (InvalidOperationException)
            {
            }
            _process.Dispose();
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int signal);
    }
}
