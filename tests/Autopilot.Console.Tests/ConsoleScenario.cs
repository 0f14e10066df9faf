using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Autopilot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Console.Tests;

/// <summary>
/// The bad-canary scenario on the stand-alone host, under a policy that makes every traffic change wait for a person of
/// group autopilot-approvers (the group of the operator token the host signs). The proposal is scripted (a rollback of
/// the canary), so the tests are about the console, not about what the model would say.
/// </summary>
internal sealed class ConsoleScenario : IAsyncDisposable
{
    public const string Proposal = """{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 answers 40% of its requests with 500"}""";

    private const string Policy = """
        version: 1
        policies:
          - name: shop-checkout
            selector:
              route: shop/checkout
            allowed_actions: [shift_traffic, rollback_canary, isolate_backend]
            require_approval: [shift_traffic, rollback_canary, isolate_backend]
            approvers: ["group:autopilot-approvers"]
            min_stable_weight: 50
            max_step_percent: 25
            max_changes: {count: 6, window: 1h}
          - name: default
            selector:
              default: true
            allowed_actions: [rollback_canary]
            dry_run: true
        """;

    private readonly HttpClient _http;
    private readonly SimulatedEnvironment _environment;

    private readonly FileLoggerProvider _logs;

    private ConsoleScenario(HttpClient http, SimulatedEnvironment environment, AutopilotHost host, WorkloadSpec workload, FileLoggerProvider logs)
    {
        _http = http;
        _logs = logs;
        _environment = environment;
        Host = host;
        Workload = workload;
    }

    public AutopilotHost Host { get; }

    public WorkloadSpec Workload { get; }

    public string Url(string path) => new Uri(Host.Url, path).ToString();

    /// <summary>Starts the host and breaks the canary: an incident opens within seconds and its change waits for a person.</summary>
    public static async Task<ConsoleScenario> StartAsync(string name)
    {
        var workload = WorkloadSpec.Checkout();
        var state = Scratch.NewDirectory(name, "autopilot-console");
        var policies = Directory.CreateDirectory(Path.Combine(state, "policies")).FullName;
        await File.WriteAllTextAsync(Path.Combine(policies, "console.yaml"), Policy);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var environment = await SimulatedEnvironment.StartAsync([workload], NullLoggerFactory.Instance);
        var evaluator = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http);
        // The host's log stays in the scratch folder, for when a test fails.
        var logs = new FileLoggerProvider(Path.Combine(state, "autopilot.log"));
        var host = await AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(environment, evaluator.History, Path.Combine(state, "host"), Repo.Root) with
        {
            ScriptedProposal = Proposal,
            Configuration = new Dictionary<string, string?>
            {
                ["Autopilot:Guardrail:PolicyDirectory"] = policies,
                // Long enough that nobody's answer is overtaken by the timeout's rejection while the browser works.
                ["Autopilot:Guardrail:ApprovalTimeout"] = "00:05:00",
                ["Autopilot:Console:RefreshSeconds"] = "1",
            },
        }, logs);
        environment.Notifier!.Target(host.WebhookUrl, host.WebhookToken);
        environment.Cluster.Inject(workload.Key, new ErrorRateFault("v2-5xx", "checkout-v2", 0.4));
        return new ConsoleScenario(http, environment, host, workload, logs);
    }

    /// <summary>The route's weights as the cluster has them (read from the test's side of the bridge).</summary>
    public async Task<IReadOnlyList<BackendWeight>> WeightsAsync() => (await Host.Bridge.GetRouteAsync(Workload.Route)).Weights();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _environment.DisposeAsync();
        _http.Dispose();
        _logs.Dispose();
    }
}
