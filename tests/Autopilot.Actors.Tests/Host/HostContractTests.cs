using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Actors.Tests.Host;

/// <summary>The Dapr-facing HTTP contract and the app's own endpoints, through the real ASP.NET pipeline.</summary>
public sealed class HostContractTests : IClassFixture<ActorsHostFactory>
{
    private readonly ActorsHostFactory _app;

    public HostContractTests(ActorsHostFactory app) => _app = app;

    public static string Webhook(params (string Fingerprint, string Workload)[] alerts) => JsonSerializer.Serialize(new
    {
        version = "4",
        groupKey = "{}:{alertname=\"CanaryHighErrorRate\"}",
        truncatedAlerts = 0,
        status = "firing",
        receiver = "autopilot",
        groupLabels = new { alertname = "CanaryHighErrorRate" },
        commonLabels = new { },
        commonAnnotations = new { },
        externalURL = "http://alertmanager:9093",
        alerts = alerts.Select(a => new
        {
            status = "firing",
            labels = a.Workload.Length == 0
                ? new Dictionary<string, string> { ["alertname"] = "CanaryHighErrorRate", ["severity"] = "critical" }
                : new Dictionary<string, string> { ["alertname"] = "CanaryHighErrorRate", ["namespace"] = "shop", ["workload"] = a.Workload, ["version"] = a.Workload + "-v2", ["severity"] = "critical" },
            annotations = new { summary = "5xx ratio 0.4" },
            startsAt = "2026-11-25T09:58:00Z",
            endsAt = "0001-01-01T00:00:00Z",
            generatorURL = "http://prometheus:9090/graph",
            fingerprint = a.Fingerprint,
        }).ToArray(),
    });

    private static StringContent Json(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);

    internal static string CloudEvent(string data) =>
        $$"""{"specversion":"1.0","type":"com.dapr.event.sent","source":"autopilot-actors","id":"{{Guid.NewGuid()}}","pubsubname":"alerts-pubsub","topic":"alerts","datacontenttype":"application/json","data":{{data}}}""";

    /// <summary>Dapr reads these documents case-insensitively (pubsubname / pubsubName).</summary>
    private static string? Prop(JsonElement element, string name) =>
        element.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value
            ? value.GetString()
            : null;

    [Fact]
    public async Task Dapr_config_lists_both_actor_types()
    {
        using var config = await _app.CreateClient().GetFromJsonAsync<JsonDocument>("/dapr/config");

        var entities = config!.RootElement.GetProperty("entities").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("IncidentActor", entities);
        Assert.Contains("GuardrailActor", entities);
    }

    [Fact]
    public async Task Mcp_endpoint_answers_an_initialize_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = Json("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"""),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");

        var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"name\":\"autopilot\"", body);
    }

    [Fact]
    public async Task Dapr_subscribe_lists_the_alerts_topic_with_its_dead_letter_topic()
    {
        using var subscriptions = await _app.CreateClient().GetFromJsonAsync<JsonDocument>("/dapr/subscribe");

        var alerts = Assert.Single(subscriptions!.RootElement.EnumerateArray(), s => Prop(s, "topic") == "alerts");
        Assert.Equal("alerts-pubsub", Prop(alerts, "pubsubName"));
        Assert.Equal("alerts-deadletter", Prop(alerts, "deadLetterTopic"));
        Assert.Equal("alerts", Prop(alerts, "route"));
    }

    /// <summary>A client that sends the webhook's token, as Alertmanager does.</summary>
    private HttpClient WebhookClient()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = Autopilot.Testing.AppSettings.WebhookAuthorization;
        return client;
    }

    [Theory]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\"", "$")]
    [InlineData("{\"version\":\"3\",\"status\":\"firing\",\"receiver\":\"r\",\"alerts\":[]}", "version")]
    public async Task Webhook_with_a_bad_payload_is_400_naming_the_field_and_publishes_nothing(string body, string field)
    {
        var before = _app.Published.Payloads.Count;

        var response = await WebhookClient().PostAsync("/alertmanager", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(field, problem.RootElement.GetProperty("field").GetString());
        Assert.Equal(before, _app.Published.Payloads.Count);
    }

    [Fact]
    public async Task Webhook_publishes_a_valid_payload_unchanged()
    {
        var body = Webhook(("fpa", "checkout"));

        var response = await WebhookClient().PostAsync("/alertmanager", Json(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(_app.Published.Payloads, p => Encoding.UTF8.GetString(p) == body);
    }

    [Fact]
    public async Task Subscription_fans_a_whole_payload_out_per_workload_and_reports_unresolved_alerts()
    {
        var body = CloudEvent(Webhook(("fp1", "checkout"), ("fp2", "checkout"), ("fp3", "cart"), ("fp4", "")));

        var response = await _app.CreateClient().PostAsync("/alerts", Json(body, "application/cloudevents+json"));

        response.EnsureSuccessStatusCode();
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("SUCCESS", answer.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, answer.RootElement.GetProperty("unresolved").GetInt32());
        var checkout = Assert.Single(_app.Dispatched.Deliveries, d => d.Workload == new WorkloadKey("shop", "checkout") && d.Alerts.Any(a => a.Fingerprint == "fp1"));
        Assert.Equal(2, checkout.Alerts.Count);
        Assert.Contains(_app.Dispatched.Deliveries, d => d.Workload == new WorkloadKey("shop", "cart") && d.Alerts.Any(a => a.Fingerprint == "fp3"));
    }

    [Fact]
    public async Task Subscription_accepts_a_single_alert()
    {
        var single = """{"status":"firing","labels":{"alertname":"TrafficSurge","namespace":"shop","workload":"single","severity":"warning"},"annotations":{},"startsAt":"2026-11-25T09:58:00Z","fingerprint":"fpsingle"}""";

        var response = await _app.CreateClient().PostAsync("/alerts", Json(CloudEvent(single), "application/cloudevents+json"));

        Assert.Contains("SUCCESS", await response.Content.ReadAsStringAsync());
        Assert.Contains(_app.Dispatched.Deliveries, d => d.Workload == new WorkloadKey("shop", "single"));
    }

    [Fact]
    public async Task Subscription_drops_a_malformed_event_and_counts_it()
    {
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LoopTelemetry.Name && instrument.Name == "autopilot.alerts.dropped") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();

        var response = await _app.CreateClient().PostAsync("/alerts", Json(CloudEvent("""{"version":"4","alerts":"not a list"}"""), "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("DROP", await response.Content.ReadAsStringAsync());
        Assert.True(Interlocked.Read(ref dropped) >= 1);
    }

    [Fact]
    public async Task Subscription_refuses_a_raw_alertmanager_payload_and_dispatches_nothing()
    {
        var before = _app.Dispatched.Deliveries.Count;
        var raw = Webhook(("fpraw", "checkout"));

        var asJson = await _app.CreateClient().PostAsync("/alerts", Json(raw));
        var labelledAsCloudEvent = await _app.CreateClient().PostAsync("/alerts", Json(raw, "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, asJson.StatusCode);
        Assert.Equal("application/problem+json", asJson.Content.Headers.ContentType!.MediaType);
        Assert.Contains("DROP", await labelledAsCloudEvent.Content.ReadAsStringAsync());
        Assert.Equal(before, _app.Dispatched.Deliveries.Count);
    }

    [Fact]
    public async Task Approval_without_a_decision_is_400_naming_the_field()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Autopilot.Testing.People.Token("alice"));
        var response = await client.PostAsJsonAsync("/guardrail/shop/checkout/approvals/some-change", new { reason = "no decision given" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("approved", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Incidents_api_lists_summaries_and_returns_the_full_record()
    {
        var record = IncidentRecord.Open("shop.checkout.20261125T100000Z.1", new WorkloadKey("shop", "checkout"), DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await _app.Journal.RecordAsync(record with
        {
            Steps = [new StepRecord(record.OpenedAt, "perceive", 12.5, "2 versions")],
            Metrics = [new Autopilot.Remediation.Compaction.MetricSnapshot("checkout-v2", double.NaN, double.NaN, 0, 0, record.OpenedAt)],
        }, CancellationToken.None);
        var client = _app.CreateClient();

        using var list = await client.GetFromJsonAsync<JsonDocument>("/incidents?workload=shop/checkout");
        using var one = await client.GetFromJsonAsync<JsonDocument>("/incidents/" + record.IncidentId);
        var missing = await client.GetAsync("/incidents/no-such-incident");

        Assert.Contains(list!.RootElement.EnumerateArray(), s => s.GetProperty("incidentId").GetString() == record.IncidentId);
        Assert.Equal("perceive", one!.RootElement.GetProperty("steps")[0].GetProperty("step").GetString());
        Assert.Equal("firing", one.RootElement.GetProperty("phase").GetString());
        Assert.Equal("NaN", one.RootElement.GetProperty("metrics")[0].GetProperty("errorRatio").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_person_acknowledges_or_closes_an_incident_through_its_workloads_process()
    {
        var record = IncidentRecord.Open("shop.checkout.20261125T100000Z.1", new WorkloadKey("shop", "checkout"), DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await _app.Journal.RecordAsync(record, CancellationToken.None);
        var anonymous = await _app.CreateClient().PostAsJsonAsync($"/incidents/{record.IncidentId}/close", new { note = "done" });
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Autopilot.Testing.People.Token("alice"));

        var acknowledged = await client.PostAsJsonAsync($"/incidents/{record.IncidentId}/acknowledge", new { note = "looking" });
        var noName = await client.PostAsJsonAsync($"/incidents/{record.IncidentId}/close", new { by = "the-cto", note = "done" });
        var unknown = await client.PostAsJsonAsync("/incidents/no-such-incident/close", new { note = "done" });
        _app.Dispatched.RefuseWith = "incident is triaging: the loop still owns it";
        var refused = await client.PostAsJsonAsync($"/incidents/{record.IncidentId}/close", new { note = "done" });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var (workload, answer) = Assert.Single(_app.Dispatched.Answers, a => a.Answer.Verb == OperatorVerb.Acknowledge);
        Assert.Equal(new WorkloadKey("shop", "checkout"), workload);
        Assert.Equal(("alice", "looking", record.IncidentId), (answer.By, answer.Note, answer.IncidentId));
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);
        Assert.Contains("\"field\":\"by\"", await noName.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("the loop still owns it", await refused.Content.ReadAsStringAsync());
    }
}

/// <summary>Separate app instances: the retry answer needs a failing dispatcher, the token a configured token.</summary>
public sealed class HostFailureTests
{
    [Fact]
    public async Task Subscription_asks_for_redelivery_when_the_fan_out_fails()
    {
        await using var app = new ActorsHostFactory();
        app.Dispatched.FailWith = new HttpRequestException("actor placement unavailable");

        var response = await app.CreateClient().PostAsync("/alerts",
            new StringContent(HostContractTests.CloudEvent(HostContractTests.Webhook(("fpr", "checkout"))), Encoding.UTF8, "application/cloudevents+json"));

        Assert.Contains("RETRY", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Webhook_requires_the_configured_bearer_token()
    {
        await using var app = new ActorsHostFactory { BearerToken = "a-configured-s3cret-token" };
        var client = app.CreateClient();
        var body = HostContractTests.Webhook(("fpt", "checkout"));

        var without = await client.PostAsync("/alertmanager", new StringContent(body, Encoding.UTF8, "application/json"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/alertmanager") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "a-configured-s3cret-token");
        var with = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, with.StatusCode);
        Assert.Single(app.Published.Payloads);
    }
}
