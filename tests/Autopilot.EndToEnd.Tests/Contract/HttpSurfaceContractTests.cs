extern alias actors;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Simulator.Hosting;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Standalone.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.EndToEnd.Tests.Contract;

/// <summary>
/// The two runtimes answer the same requests identically: every request goes to the Dapr host (autopilot-actors,
/// its sidecar edges replaced) and to the stand-alone host, and status, content type and body must match. Both
/// journals hold the same incident, so a difference can only come from the HTTP surface itself.
/// </summary>
public sealed class HttpSurfaceContractTests : IAsyncLifetime
{
    private const string Token = "contract-webhook-token";

    /// <summary>A person's bearer token from the tests' identity provider.</summary>
    private static readonly string Person = Autopilot.Testing.People.Token("alice");
    private static readonly DateTimeOffset At = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    private static readonly IncidentRecord Incident = IncidentRecord.Open("inc-contract-1", new WorkloadKey("shop", "checkout"), At) with
    {
        // NaN is how the journal says "no data"; both hosts must write it the same way.
        Metrics = [new MetricSnapshot("checkout-v1", 0.001, 40, 45, 0, At), new MetricSnapshot("checkout-v2", double.NaN, double.NaN, 0, 0, At)],
        Escalations = ["a human looks at it"],
    };

    private readonly string _state = TestContent.NewStateDirectory("contract");
    private ActorsApp? _actors;
    private SimulatedEnvironment? _environment;
    private AutopilotHost? _standalone;
    private HttpClient? _actorsClient;
    private readonly HttpClient _standaloneClient = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async Task InitializeAsync()
    {
        var journal = new FileIncidentJournal(new StateDirectory(Path.Combine(_state, "actors")));
        await journal.RecordAsync(Incident, default);
        _actors = new ActorsApp(Path.Combine(_state, "actors-content"), journal);
        _actorsClient = _actors.CreateClient();

        _environment = await SimulatedEnvironment.StartAsync([], NullLoggerFactory.Instance);
        _standalone = await AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(_environment, new(TimeSpan.FromMinutes(5)), Path.Combine(_state, "standalone"), RepoPaths.Root) with
        {
            // Both hosts trust the tests' identity provider, so a person's token means the same to each.
            Configuration = new Dictionary<string, string?>(Autopilot.Testing.AppSettings.IdentitySettings()) { ["Autopilot:Alerts:BearerToken"] = Token },
        });
        await _standalone.Journal.RecordAsync(Incident, default);
        _standaloneClient.BaseAddress = _standalone.Url;
    }

    public async Task DisposeAsync()
    {
        _actorsClient?.Dispose();
        _standaloneClient.Dispose();
        if (_actors is not null) await _actors.DisposeAsync();
        if (_standalone is not null) await _standalone.DisposeAsync();
        if (_environment is not null) await _environment.DisposeAsync();
    }

    public static TheoryData<string, string, string?, string?> Requests() => new()
    {
        // name, method + path, body, bearer token
        { "webhook without a token", "POST /alertmanager", Payload, null },
        { "webhook with a wrong token", "POST /alertmanager", Payload, "wrong" },
        { "webhook, a valid payload", "POST /alertmanager", Payload, Token },
        { "webhook, not JSON", "POST /alertmanager", "{nope", Token },
        { "webhook, an alert without labels", "POST /alertmanager", Payload.Replace("\"labels\":{\"alertname\":\"CanaryHighErrorRate\",\"namespace\":\"shop\",\"workload\":\"checkout\"},", ""), Token },
        { "webhook, over the size limit", "POST /alertmanager", new string(' ', 2 * 1024 * 1024) + Payload, Token },
        { "incident list", "GET /incidents", null, null },
        { "incident list of one workload", "GET /incidents?workload=shop/checkout&open=true&limit=5", null, null },
        { "incident list with a bad limit", "GET /incidents?limit=0", null, null },
        { "one incident", "GET /incidents/inc-contract-1", null, null },
        { "an unknown incident", "GET /incidents/nope", null, null },
        { "approval without a token", "POST /guardrail/shop/checkout/approvals/change-1", "{\"approved\":true}", null },
        { "approval with the webhook's token", "POST /guardrail/shop/checkout/approvals/change-1", "{\"approved\":true}", Token },
        { "approval without a decision", "POST /guardrail/shop/checkout/approvals/change-1", "{\"reason\":\"looks fine\"}", Person },
        { "approval naming an approver in the body", "POST /guardrail/shop/checkout/approvals/change-1", "{\"approved\":true,\"approver\":\"alice\"}", Person },
        { "approval whose body is not JSON", "POST /guardrail/shop/checkout/approvals/change-1", "{approved", Person },
        { "an unknown path", "GET /nothing-here", null, null },
        { "approval of an unknown change", "POST /guardrail/shop/checkout/approvals/change-1", "{\"approved\":false}", Person },
    };

    private const string Payload = """
        {"receiver":"autopilot","status":"firing","version":"4","groupKey":"{}:{alertname=\"CanaryHighErrorRate\"}","truncatedAlerts":0,
         "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager",
         "alerts":[{"status":"firing","labels":{"alertname":"CanaryHighErrorRate","namespace":"shop","workload":"checkout"},
                    "annotations":{},"startsAt":"2026-11-29T09:58:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"f1"}]}
        """;

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Both_runtimes_answer_the_same_request_with_the_same_status_and_body(string name, string request, string? body, string? token)
    {
        var actors = await SendAsync(_actorsClient!, request, body, token);
        var standalone = await SendAsync(_standaloneClient, request, body, token);

        Assert.True(actors.Status == standalone.Status, $"{name}: actors app {actors.Status}, stand-alone {standalone.Status}");
        Assert.Equal(actors.ContentType, standalone.ContentType);
        Assert.Equal(actors.Body, standalone.Body);
        // Every refusal, the framework's own included, is problem details.
        if ((int)actors.Status >= 400) Assert.Equal("application/problem+json", actors.ContentType);
    }

    [Fact]
    public async Task Both_runtimes_serve_the_read_only_mcp_tools()
    {
        const string initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"contract","version":"1"}}}""";
        var actors = await SendAsync(_actorsClient!, "POST /mcp", initialize, null, mcp: true);
        var standalone = await SendAsync(_standaloneClient, "POST /mcp", initialize, null, mcp: true);

        Assert.Equal(HttpStatusCode.OK, actors.Status);
        Assert.Equal(actors.Status, standalone.Status);
        Assert.Equal(actors.Body, standalone.Body);
    }

    [Fact]
    public void Both_runtimes_hand_the_mcp_tools_the_guardrails_read_only_port()
    {
        // The tools take IGuardrailReader (no submit, undo or approve); each host serves it from its own guardrail gateway.
        foreach (var services in new[] { _actors!.Services, _standalone!.Services })
        {
            using var scope = services.CreateScope();
            Assert.Same(scope.ServiceProvider.GetRequiredService<IGuardrailGateway>(), scope.ServiceProvider.GetRequiredService<IGuardrailReader>());
            Assert.NotNull(ActivatorUtilities.CreateInstance<Autopilot.Mcp.AutopilotReadTools>(scope.ServiceProvider));
        }
    }

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body);

    private static async Task<Answer> SendAsync(HttpClient client, string request, string? body, string? token, bool mcp = false)
    {
        var (method, path) = (request.Split(' ')[0], request.Split(' ')[1]);
        using var message = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) message.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (mcp) message.Headers.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await client.SendAsync(message);
        // A problem's traceId differs per request by design; everything else must match.
        var text = System.Text.RegularExpressions.Regex.Replace(await response.Content.ReadAsStringAsync(), "\"traceId\":\"[^\"]*\"", "\"traceId\":\"…\"");
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>The actors app as its Program builds it, with what needs a sidecar replaced: the topic, the
    /// IncidentActors, the journal's state store, and the GuardrailActor for approvals.</summary>
    private sealed class ActorsApp(string content, IIncidentJournal journal) : WebApplicationFactory<actors::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Directory.CreateDirectory(content);
            builder.UseEnvironment("Production");
            foreach (var (key, value) in Autopilot.Testing.AppSettings.Actors(content)) builder.UseSetting(key, value);
            builder.UseSetting("Autopilot:Alerts:BearerToken", Token);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<IAlertPublisher, DiscardingPublisher>();
                services.AddSingleton(journal);
                services.AddSingleton<IGuardrailGateway, NoChangesGuardrail>();
            });
        }
    }

    private sealed class DiscardingPublisher : IAlertPublisher
    {
        public Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>A guardrail that has seen no change, as the stand-alone host's real one has not.</summary>
    private sealed class NoChangesGuardrail : IGuardrailGateway
    {
        public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<Remediation.Routing.RouteState> ReadRouteAsync(Remediation.Routing.RouteRef route, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision?> GetDecisionAsync(Remediation.Routing.RouteRef route, string changeId, CancellationToken ct) => Task.FromResult<GuardrailDecision?>(null);
        public Task<GuardrailDecision?> AnswerApprovalAsync(Remediation.Routing.RouteRef route, ApprovalAnswer answer, CancellationToken ct) => Task.FromResult<GuardrailDecision?>(null);
    }
}
