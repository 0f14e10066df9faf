using System.Text;
using Autopilot.Remediation.Alerts;

namespace Autopilot.Remediation.Tests.Alerts;

public sealed class AlertPayloadParserTests
{
    private static readonly byte[] RealPayload = TestFiles.AlertPayload("alertmanager-v4-canary.json");

    private static ParseOutcome<AlertBatch> Webhook(string json) => AlertPayloadParser.ParseWebhook(Encoding.UTF8.GetBytes(json));

    private static string OneAlert(string alertJson) =>
        $$"""{"version":"4","receiver":"autopilot","status":"firing","groupKey":"{}:{}","truncatedAlerts":0,"alerts":[{{alertJson}}]}""";

    private const string ValidAlert =
        """{"status":"firing","labels":{"alertname":"CanaryHighErrorRate","namespace":"shop","workload":"checkout"},"annotations":{"summary":"s"},"startsAt":"2026-11-25T00:36:14Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc123"}""";

    [Fact]
    public void Parses_a_real_alertmanager_v4_payload_completely()
    {
        var outcome = AlertPayloadParser.ParseWebhook(RealPayload);

        Assert.True(outcome.IsSuccess, outcome.Error?.ToString());
        var batch = outcome.Value!;
        Assert.Equal("autopilot", batch.Receiver);
        Assert.Equal("{}/{namespace=\"shop\"}:{namespace=\"shop\", workload=\"checkout\"}", batch.GroupKey);
        Assert.Equal(0, batch.TruncatedAlerts);
        Assert.Equal("firing", batch.GroupStatus);
        Assert.Equal("http://alertmanager.monitoring:9093", batch.ExternalUrl);
        Assert.Equal(2, batch.Alerts.Count);

        var canary = batch.Alerts[0];
        Assert.Equal("CanaryHighErrorRate", canary.Name);
        Assert.Equal(AlertStatus.Firing, canary.Status);
        Assert.Equal("5c0b7a3e1f9d2c44", canary.Fingerprint);
        Assert.Equal("checkout-v2", canary.Label("version"));
        Assert.Equal(6, canary.Labels.Count);
        Assert.Equal(3, canary.Annotations.Count);
        Assert.Contains("\nStable checkout-v1", canary.Annotations["description"]);
        // Go writes nanoseconds; we keep the 100 ns ticks.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 36, 14, TimeSpan.Zero).AddTicks(4829384), canary.StartsAt);
        Assert.Null(canary.EndsAt); // Go's zero time means "not ended"
        Assert.StartsWith("http://prometheus.monitoring:9090/graph?", canary.GeneratorUrl);

        var crash = batch.Alerts[1];
        Assert.Equal(AlertStatus.Resolved, crash.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 23, 20, 0, TimeSpan.Zero), crash.StartsAt.ToUniversalTime());
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 23, 31, 5, 500, TimeSpan.Zero), crash.EndsAt);
    }

    public static TheoryData<string, string, string> MalformedPayloads() => new()
    {
        // name, body, field the error must name
        { "empty body", "", "$" },
        { "not JSON", "alert: CanaryHighErrorRate", "$" },
        { "truncated JSON", Encoding.UTF8.GetString(RealPayload)[..700], "$" },
        { "trailing garbage", OneAlert(ValidAlert) + "}", "$" },
        { "root is an array", "[]", "$" },
        { "unknown version", """{"version":"3","alerts":[]}""", "version" },
        { "version as number", """{"version":4,"alerts":[]}""", "version" },
        { "missing version", """{"receiver":"x","alerts":[]}""", "version" },
        { "alerts missing", """{"version":"4"}""", "alerts" },
        { "alerts is an object", """{"version":"4","alerts":{}}""", "alerts" },
        { "alert is a string", """{"version":"4","alerts":["CanaryHighErrorRate"]}""", "alerts[0]" },
        { "missing labels", OneAlert("""{"status":"firing","startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels" },
        { "labels is an array", OneAlert("""{"status":"firing","labels":["a"],"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels" },
        { "label value is a number", OneAlert("""{"status":"firing","labels":{"alertname":"A","replicas":3},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.replicas" },
        { "missing alertname", OneAlert("""{"status":"firing","labels":{"namespace":"shop"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.alertname" },
        { "invalid label name", OneAlert("""{"status":"firing","labels":{"alertname":"A","bad-name":"x"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.bad-name" },
        { "duplicate label", OneAlert("""{"status":"firing","labels":{"alertname":"A","alertname":"B"},"startsAt":"2026-11-25T00:36:14Z"}"""), "$" }, // a repeated key is refused wherever it is, before any field is read
        { "control character in label", OneAlert("""{"status":"firing","labels":{"alertname":"A","namespace":"shop\u0000"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.namespace" },
        { "bidi override in label", OneAlert("""{"status":"firing","labels":{"alertname":"A","workload":"check\u202Eout"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.workload" },
        { "unpaired surrogate in label", OneAlert("""{"status":"firing","labels":{"alertname":"A","x":"\uD800"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.x" },
        { "annotation is an object", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"annotations":{"summary":{"text":"x"}},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].annotations.summary" },
        { "unknown status", OneAlert("""{"status":"pending","labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].status" },
        { "missing status", OneAlert("""{"labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].status" },
        { "missing startsAt", OneAlert("""{"status":"firing","labels":{"alertname":"A"}}"""), "alerts[0].startsAt" },
        { "startsAt not a time", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"yesterday"}"""), "alerts[0].startsAt" },
        { "startsAt without zone", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14"}"""), "alerts[0].startsAt" },
        { "startsAt impossible date", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-02-30T00:36:14Z"}"""), "alerts[0].startsAt" },
        { "startsAt as unix number", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":1764031000}"""), "alerts[0].startsAt" },
        { "startsAt zero time", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"0001-01-01T00:00:00Z"}"""), "alerts[0].startsAt" },
        { "endsAt before startsAt", OneAlert("""{"status":"resolved","labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14Z","endsAt":"2026-11-25T00:30:00Z"}"""), "alerts[0].endsAt" },
        { "fingerprint with spaces", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14Z","fingerprint":"ab cd"}"""), "alerts[0].fingerprint" },
        { "generatorURL relative", OneAlert("""{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-11-25T00:36:14Z","generatorURL":"/graph"}"""), "alerts[0].generatorURL" },
        { "truncatedAlerts negative", """{"version":"4","truncatedAlerts":-1,"alerts":[]}""", "truncatedAlerts" },
        { "truncatedAlerts string", """{"version":"4","truncatedAlerts":"3","alerts":[]}""", "truncatedAlerts" },
        { "receiver is a number", """{"version":"4","receiver":7,"alerts":[]}""", "receiver" },
        { "commonLabels is a string", """{"version":"4","commonLabels":"x","alerts":[]}""", "commonLabels" },
        { "second alert broken", """{"version":"4","alerts":[""" + ValidAlert + "," + """{"status":"firing","labels":{"alertname":"B"},"startsAt":"soon"}]}""", "alerts[1].startsAt" },
        { "oversized label value", OneAlert($$"""{"status":"firing","labels":{"alertname":"A","x":"{{new string('v', 1025)}}"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].labels.x" },
        { "oversized annotation", OneAlert($$"""{"status":"firing","labels":{"alertname":"A"},"annotations":{"description":"{{new string('d', 16 * 1024 + 1)}}"},"startsAt":"2026-11-25T00:36:14Z"}"""), "alerts[0].annotations.description" },
        { "too deeply nested", """{"version":"4","alerts":[],"x":""" + new string('[', 40) + new string(']', 40) + "}", "$" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public void Rejects_malformed_payloads_with_an_error_naming_the_field(string name, string body, string field)
    {
        var outcome = Webhook(body);

        Assert.False(outcome.IsSuccess, name);
        Assert.Null(outcome.Value);
        Assert.Equal(field, outcome.Error!.Field);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error.Message));
        Assert.DoesNotContain('\0', outcome.Error.Message);
    }

    [Fact]
    public void Rejects_a_two_mebibyte_body_before_parsing_it()
    {
        var huge = OneAlert($$"""{"status":"firing","labels":{"alertname":"A"},"annotations":{"blob":"{{new string('x', 2 * 1024 * 1024)}}"},"startsAt":"2026-11-25T00:36:14Z"}""");

        var outcome = Webhook(huge);

        Assert.Equal("$", outcome.Error!.Field);
        Assert.Contains("limit is 1048576 bytes", outcome.Error.Message);
    }

    [Fact]
    public void Rejects_more_alerts_than_the_limit()
    {
        var limits = AlertPayloadLimits.Default with { MaxAlerts = 2 };
        var body = """{"version":"4","alerts":[""" + string.Join(",", Enumerable.Repeat(ValidAlert, 3)) + "]}";

        var outcome = AlertPayloadParser.ParseWebhook(Encoding.UTF8.GetBytes(body), limits);

        Assert.Equal("alerts", outcome.Error!.Field);
    }

    [Fact]
    public void Keeps_unicode_annotations_and_neutralises_control_characters()
    {
        var body = OneAlert("""
            {"status":"firing","labels":{"alertname":"A","namespace":"shop"},
             "annotations":{"summary":"Überlast 🚨 in 東京\nline two\ttab","description":"evil\u001b[31mred\u0000 \u202Egnp.exe"},
             "startsAt":"2026-11-25T00:36:14Z"}
            """);

        var outcome = Webhook(body);

        Assert.True(outcome.IsSuccess, outcome.Error?.ToString());
        var annotations = outcome.Value!.Alerts[0].Annotations;
        Assert.Equal("Überlast 🚨 in 東京\nline two\ttab", annotations["summary"]);
        Assert.Equal("evil\uFFFD[31mred\uFFFD \uFFFDgnp.exe", annotations["description"]);
    }

    [Fact]
    public void Invalid_utf8_is_reported_not_thrown()
    {
        var bytes = Encoding.UTF8.GetBytes(OneAlert(ValidAlert));
        var at = Array.IndexOf(bytes, (byte)'s', Encoding.UTF8.GetString(bytes).IndexOf("\"summary\":\"s", StringComparison.Ordinal) + 11);
        bytes[at] = 0xC3; // lead byte without its continuation

        var outcome = AlertPayloadParser.ParseWebhook(bytes);

        Assert.False(outcome.IsSuccess);
        Assert.Equal("alerts[0].annotations.summary", outcome.Error!.Field);
    }

    [Fact]
    public void Accepts_timestamps_in_any_offset_and_precision()
    {
        string[] times = ["2026-11-25T00:36:14Z", "2026-11-25T01:36:14+01:00", "2026-11-24T19:36:14.000000000-05:00", "2026-11-25t00:36:14z"];
        foreach (var time in times)
        {
            var outcome = Webhook(OneAlert($$"""{"status":"firing","labels":{"alertname":"A"},"startsAt":"{{time}}"}"""));
            Assert.True(outcome.IsSuccess, time + ": " + outcome.Error);
            Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 36, 14, TimeSpan.Zero), outcome.Value!.Alerts[0].StartsAt);
        }
    }

    [Fact]
    public void Ignores_fields_it_does_not_know()
    {
        var outcome = Webhook("""{"version":"4","alerts":[],"futureField":{"nested":[1,2,3]}}""");
        Assert.True(outcome.IsSuccess);
        Assert.Empty(outcome.Value!.Alerts);
    }

    /// <summary>What Dapr delivers on the topic: the payload as a CloudEvent's data.</summary>
    private static byte[] CloudEvent(string data) => Encoding.UTF8.GetBytes(
        """{"specversion":"1.0","type":"com.dapr.event.sent","source":"autopilot-actors","id":"1","datacontenttype":"application/json","topic":"alerts","pubsubname":"alerts-pubsub","data":""" +
        data + "}");

    [Fact]
    public void Parses_a_single_alert_event_and_derives_alertmanagers_fingerprint()
    {
        var single = AlertPayloadParser.ParseCloudEvent(CloudEvent(
            """{"labels":{"alertname":"CanaryHighErrorRate","namespace":"shop","workload":"checkout"},"startsAt":"2026-11-25T00:36:14Z"}"""));
        var reordered = AlertPayloadParser.ParseCloudEvent(CloudEvent(
            """{"labels":{"workload":"checkout","namespace":"shop","alertname":"CanaryHighErrorRate"},"startsAt":"2026-11-25T00:40:00Z"}"""));
        var other = AlertPayloadParser.ParseCloudEvent(CloudEvent(
            """{"labels":{"alertname":"CanaryHighErrorRate","namespace":"shop","workload":"cart"},"startsAt":"2026-11-25T00:36:14Z"}"""));

        Assert.True(single.IsSuccess, single.Error?.ToString());
        var alert = Assert.Single(single.Value!.Alerts);
        Assert.Equal(AlertStatus.Firing, alert.Status);
        Assert.Empty(alert.Annotations);
        Assert.Matches("^[0-9a-f]{16}$", alert.Fingerprint);
        Assert.Equal(alert.Fingerprint, reordered.Value!.Alerts[0].Fingerprint);
        Assert.NotEqual(alert.Fingerprint, other.Value!.Alerts[0].Fingerprint);
    }

    [Fact]
    public void A_cloudevent_may_carry_a_webhook_or_an_array_of_alerts()
    {
        var webhook = AlertPayloadParser.ParseWebhook(RealPayload);
        var array = AlertPayloadParser.ParseCloudEvent(CloudEvent("[" + ValidAlert + "," + ValidAlert.Replace("abc123", "def456") + "]"));
        var envelope = AlertPayloadParser.ParseCloudEvent(CloudEvent(Encoding.UTF8.GetString(RealPayload)));

        Assert.Equal(["abc123", "def456"], array.Value!.Alerts.Select(a => a.Fingerprint));
        Assert.True(envelope.IsSuccess, envelope.Error?.ToString());
        Assert.Equal("autopilot", envelope.Value!.Receiver);
        Assert.Equal(webhook.Value!.Alerts.Select(a => a.Fingerprint), envelope.Value.Alerts.Select(a => a.Fingerprint));
    }

    [Theory]
    [InlineData("bare webhook payload", "specversion")]
    [InlineData("bare alert array", "$")]
    [InlineData("version 0.3", "specversion")]
    [InlineData("no id", "id")]
    [InlineData("empty source", "source")]
    [InlineData("no data", "data")]
    [InlineData("string data", "data")]
    public void Anything_but_a_cloudevent_1_0_is_refused_naming_the_attribute(string shape, string field)
    {
        var body = shape switch
        {
            "bare webhook payload" => Encoding.UTF8.GetString(RealPayload),
            "bare alert array" => "[" + ValidAlert + "]",
            "version 0.3" => Encoding.UTF8.GetString(CloudEvent(ValidAlert)).Replace("\"1.0\"", "\"0.3\""),
            "no id" => Encoding.UTF8.GetString(CloudEvent(ValidAlert)).Replace("\"id\":\"1\",", ""),
            "empty source" => Encoding.UTF8.GetString(CloudEvent(ValidAlert)).Replace("\"autopilot-actors\"", "\"\""),
            "no data" => """{"specversion":"1.0","type":"t","source":"s","id":"1"}""",
            _ => """{"specversion":"1.0","type":"t","source":"s","id":"1","data":"{}"}""",
        };

        var outcome = AlertPayloadParser.ParseCloudEvent(Encoding.UTF8.GetBytes(body));

        Assert.False(outcome.IsSuccess);
        Assert.Equal(field, outcome.Error!.Field);
    }

    [Fact]
    public void Event_errors_name_the_field_inside_an_envelope()
    {
        var outcome = AlertPayloadParser.ParseCloudEvent(CloudEvent("""{"labels":{"alertname":"A"},"startsAt":"later"}"""));

        Assert.Equal("data.startsAt", outcome.Error!.Field);
    }

    private const string Structural = "{}[]\",:\\0 tn-";

    [Fact]
    public void Random_corruption_of_a_real_payload_never_throws()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])RealPayload.Clone();
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                switch (random.Next(3))
                {
                    case 0: bytes[random.Next(bytes.Length)] = (byte)random.Next(256); break;
                    case 1: bytes = bytes[..random.Next(bytes.Length)]; break;
                    default: bytes[random.Next(bytes.Length)] = (byte)Structural[random.Next(Structural.Length)]; break;
                }
                if (bytes.Length == 0) break;
            }

            var webhook = AlertPayloadParser.ParseWebhook(bytes);
            var single = AlertPayloadParser.ParseCloudEvent(bytes);

            Assert.True(webhook.IsSuccess ^ webhook.Error is not null);
            Assert.True(single.IsSuccess ^ single.Error is not null);
            if (webhook.IsSuccess) Assert.All(webhook.Value!.Alerts, a => Assert.False(string.IsNullOrEmpty(a.Name)));
        }
    }
}
