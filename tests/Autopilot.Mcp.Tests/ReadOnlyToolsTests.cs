using System.Text.Json;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Autopilot.Mcp.Tests;

public sealed class ReadOnlyToolsTests : IAsyncLifetime
{
    private static readonly RouteState Checkout = new(
        new RouteRef("shop", "checkout"), "42",
        [new RouteRule(0, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)])],
        "checkout-v1", new Dictionary<string, string>());

    private readonly FakeGuardrail _guardrail = new();
    private WebApplication? _app;
    private McpClient? _client;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IGuardrailReader>(_guardrail);
        builder.Services.AddSingleton<IWorkloadHealthSource, FakeHealth>();
        builder.Services.AddSingleton<IIncidentJournal, FakeJournal>();
        builder.Services.AddSingleton<ISopRetriever, FakeSops>();
        builder.Services.AddOptions<IncidentOptions>();
        builder.Services.AddAutopilotMcp();
        _app = builder.Build();
        _app.MapAutopilotMcp();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(address + McpHostingExtensions.Path),
            TransportMode = HttpTransportMode.StreamableHttp,
        }));
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_app is not null) await _app.DisposeAsync();
    }

    [Fact]
    public async Task Lists_only_read_only_tools()
    {
        var tools = await _client!.ListToolsAsync();

        Assert.Equal(
            ["incident_detail", "incident_history", "route_state", "sop_search", "workload_health"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t =>
        {
            Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, $"{t.Name} must be marked read-only");
            Assert.False(t.ProtocolTool.Annotations?.DestructiveHint ?? true, $"{t.Name} must not be destructive");
        });
    }

    [Fact]
    public async Task Workload_health_reads_the_route_through_the_guardrail_and_reports_no_data_as_null()
    {
        var result = await _client!.CallToolAsync("workload_health", new Dictionary<string, object?> { ["workload"] = "shop/checkout" });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var versions = json.RootElement.GetProperty("versions");
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal(0.4, versions[1].GetProperty("errorRatio").GetDouble());
        // No data is sent as null (or left out), never as NaN, which JSON cannot carry.
        Assert.True(!versions[0].TryGetProperty("p99LatencyMs", out var latency) || latency.ValueKind == JsonValueKind.Null);
        Assert.Equal(0.001, versions[0].GetProperty("errorRatio").GetDouble());
        Assert.Equal(new RouteRef("shop", "checkout"), Assert.Single(_guardrail.Reads));
    }

    [Fact]
    public async Task Route_state_returns_weights()
    {
        var result = await _client!.CallToolAsync("route_state", new Dictionary<string, object?> { ["route"] = "shop/checkout" });

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("checkout-v2", Text(result));
        Assert.Contains("\"resourceVersion\":\"42\"", Text(result));
    }

    [Fact]
    public async Task Incident_history_filters_by_workload()
    {
        var result = await _client!.CallToolAsync("incident_history",
            new Dictionary<string, object?> { ["workload"] = "shop/checkout", ["openOnly"] = true });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var incident = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("inc-1", incident.GetProperty("incidentId").GetString());
    }

    [Theory]
    [InlineData("workload_health", "workload", "checkout")]
    [InlineData("route_state", "route", "shop/checkout/extra")]
    [InlineData("incident_history", "workload", "no-slash")]
    public async Task Malformed_arguments_give_a_tool_error_naming_the_field(string tool, string field, string value)
    {
        var result = await _client!.CallToolAsync(tool, new Dictionary<string, object?> { [field] = value });

        Assert.True(result.IsError);
        Assert.Contains(field + ":", Text(result));
        Assert.Empty(_guardrail.Reads);
    }

    [Fact]
    public async Task Sop_search_reports_scores_and_reasons()
    {
        var result = await _client!.CallToolAsync("sop_search",
            new Dictionary<string, object?> { ["text"] = "canary errors", ["alertName"] = "CanaryHighErrorRate" });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var hit = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("canary-high-error-rate", hit.GetProperty("id").GetString());
        Assert.Contains("alertname CanaryHighErrorRate", hit.GetProperty("reasons")[0].GetString());
    }

    private static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    /// <summary>Only the read-only port: the tools cannot be handed anything that submits, undoes or approves.</summary>
    private sealed class FakeGuardrail : IGuardrailReader
    {
        public List<RouteRef> Reads { get; } = [];

        public Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct)
        {
            lock (Reads) Reads.Add(route);
            return Task.FromResult(Checkout with { Route = route });
        }

        public Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) =>
            Task.FromResult<GuardrailDecision?>(null);
    }

    private sealed class FakeHealth : IWorkloadHealthSource
    {
        public Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<MetricSnapshot>>(
            [
                new("checkout-v1", 0.001, double.NaN, 90, 0, DateTimeOffset.UnixEpoch),
                new("checkout-v2", 0.4, 250, 10, 3, DateTimeOffset.UnixEpoch),
            ]);
    }

    private sealed class FakeJournal : IIncidentJournal
    {
        private static readonly IncidentRecord[] Records =
        [
            IncidentRecord.Open("inc-1", new WorkloadKey("shop", "checkout"), DateTimeOffset.UnixEpoch),
            IncidentRecord.Open("inc-2", new WorkloadKey("shop", "cart"), DateTimeOffset.UnixEpoch),
        ];

        public Task RecordAsync(IncidentRecord record, CancellationToken ct) => throw new InvalidOperationException("read-only");

        public Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<IncidentSummary>>(
                [.. Records.Where(r => query.Workload is null || r.Workload == query.Workload)
                    .Where(r => !query.OpenOnly || r.IsOpen).Take(query.Limit).Select(r => r.Summarise())]);

        public Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct) =>
            Task.FromResult(Records.FirstOrDefault(r => r.IncidentId == incidentId));
    }

    private sealed class FakeSops : ISopRetriever
    {
        public IReadOnlyList<SopMatch> Retrieve(SopQuery query, int top = 3)
        {
            var sop = new Sop("canary-high-error-rate", "Bad canary", KnowledgeKind.Sop,
                new SopMatchRule(["CanaryHighErrorRate"], new Dictionary<string, string>()),
                [new AllowedAction("rollback_canary")], "rollback_canary", true, "critical", "", "sops/canary-high-error-rate.md");
            return query.Alerts.Any(a => a.Name == "CanaryHighErrorRate")
                ? [new SopMatch(sop, 1.0, ["alertname CanaryHighErrorRate matches"])]
                : [];
        }
    }
}
