using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Autopilot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.EndToEnd.Tests.Mcp;

/// <summary>
/// The official TypeScript MCP client against the real stand-alone host (the simulated shop/checkout, the repository's SOP
/// library, a journaled incident whose metrics hold NaN): every tool answers its valid call with a result its output
/// schema allows and names the argument of its bad call. The actors app maps the same server (HttpSurfaceContractTests).
/// </summary>
public sealed class StandaloneMcpClientTests : IAsyncLifetime
{
    private static readonly string[] Tools = ["incident_detail", "incident_history", "route_state", "sop_search", "workload_health"];
    private static readonly DateTimeOffset At = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private readonly string _state = TestContent.NewStateDirectory("mcp-client");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private SimulatedEnvironment? _environment;
    private AutopilotHost? _standalone;

    public async Task InitializeAsync()
    {
        var workload = WorkloadSpec.Checkout();
        _environment = await SimulatedEnvironment.StartAsync([workload], NullLoggerFactory.Instance);
        // The evaluator records the series workload_health reads; its alerts go nowhere (no fault is injected).
        var evaluator = _environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), _http);
        _standalone = await AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(_environment, evaluator.History, _state, RepoPaths.Root));
        await TestContent.Until(() => Task.FromResult(evaluator.History.Latest(workload.Key) is not null), "the evaluator recorded no series", 30);
        // The id the client's valid incident_detail call asks for; NaN is the journal's "no data".
        await _standalone.Journal.RecordAsync(IncidentRecord.Open("inc-1", new WorkloadKey("shop", "checkout"), At) with
        {
            Metrics = [new MetricSnapshot("checkout-v2", double.NaN, double.NaN, 0, 0, At)],
        }, default);
    }

    public async Task DisposeAsync()
    {
        if (_standalone is not null) await _standalone.DisposeAsync();
        if (_environment is not null) await _environment.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task The_typescript_client_lists_and_calls_every_tool_of_the_stand_alone_host()
    {
        var report = await TypeScriptMcpClient.ListAndCallAsync(new Uri(_standalone!.Url, Autopilot.Mcp.McpHostingExtensions.Path), "streamable");

        var problems = TypeScriptMcpClient.Problems(report, Tools);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
