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

namespace Autopilot.Mcp.Tests;

/// <summary>The MCP server as both hosts serve it (AddAutopilotMcp / MapAutopilotMcp) on a real Kestrel loopback
/// port, over fakes of the ports it reads.</summary>
internal sealed class McpTestHost(WebApplication app, FakeGuardrail guardrail, Uri endpoint) : IAsyncDisposable
{
    public static readonly RouteState Checkout = new(
        new RouteRef("shop", "checkout"), "42",
        [new RouteRule(0, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)])],
        "checkout-v1", new Dictionary<string, string>());

    public FakeGuardrail Guardrail => guardrail;

    /// <summary>The streamable-HTTP endpoint, http://127.0.0.1:port/mcp.</summary>
    public Uri Endpoint => endpoint;

    /// <summary>Started with the given settings (e.g. ("Autopilot:Mcp:LegacySse", "true")) over the defaults.</summary>
    public static async Task<McpTestHost> StartAsync(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        foreach (var (key, value) in settings) builder.Configuration[key] = value;
        var fakeGuardrail = new FakeGuardrail();
        builder.Services.AddSingleton<IGuardrailReader>(fakeGuardrail);
        builder.Services.AddSingleton<IWorkloadHealthSource, FakeHealth>();
        builder.Services.AddSingleton<IIncidentJournal, FakeJournal>();
        builder.Services.AddSingleton<ISopRetriever, FakeSops>();
        builder.Services.AddOptions<IncidentOptions>();
        builder.Services.AddAutopilotMcp(builder.Configuration);
        var started = builder.Build();
        started.MapAutopilotMcp();
        await started.StartAsync();
        var address = started.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new McpTestHost(started, fakeGuardrail, new Uri(address + McpHostingExtensions.Path));
    }

    public Task<McpClient> ConnectAsync() =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = Endpoint, TransportMode = HttpTransportMode.StreamableHttp }));

    public ValueTask DisposeAsync() => app.DisposeAsync();
}

/// <summary>Only the read-only port: the tools cannot be handed anything that submits, undoes or approves.</summary>
internal sealed class FakeGuardrail : IGuardrailReader
{
    public List<RouteRef> Reads { get; } = [];

    /// <summary>As if the gateway bridge behind the guardrail were down.</summary>
    public bool Unreachable { get; set; }

    public Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct)
    {
        if (Unreachable) throw new HttpRequestException("Connection refused (autopilot-gateway-bridge:5070)");
        lock (Reads) Reads.Add(route);
        return Task.FromResult(McpTestHost.Checkout with { Route = route });
    }

    public Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) =>
        Task.FromResult<GuardrailDecision?>(null);
}

internal sealed class FakeHealth : IWorkloadHealthSource
{
    public Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<MetricSnapshot>>(
        [
            new("checkout-v1", 0.001, double.NaN, 90, 0, DateTimeOffset.UnixEpoch),
            new("checkout-v2", 0.4, 250, 10, 3, DateTimeOffset.UnixEpoch),
        ]);
}

internal sealed class FakeJournal : IIncidentJournal
{
    private static readonly IncidentRecord[] Records =
    [
        // NaN is how the journal says "no data"; the tools must still answer with a result their schema allows.
        IncidentRecord.Open("inc-1", new WorkloadKey("shop", "checkout"), DateTimeOffset.UnixEpoch) with
        {
            Metrics = [new MetricSnapshot("checkout-v1", 0.001, double.NaN, 90, 0, DateTimeOffset.UnixEpoch)],
        },
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

internal sealed class FakeSops : ISopRetriever
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

