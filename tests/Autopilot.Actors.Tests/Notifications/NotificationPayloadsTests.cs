using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Incidents.Notifications;

namespace Autopilot.Actors.Tests.Notifications;

public sealed class NotificationPayloadsTests
{
    [Fact]
    public void A_slack_message_has_a_header_the_summary_the_facts_and_a_button_to_the_incident_in_the_console()
    {
        var slack = JsonNode.Parse(NotificationPayloads.For(NotificationReceiver.Slack, NotificationSamples.Escalation()))!;

        var blocks = slack["blocks"]!.AsArray();
        Assert.Equal(["header", "section", "section", "actions"], blocks.Select(b => (string?)b!["type"]));
        Assert.Equal("Escalated: shop/checkout", (string?)blocks[0]!["text"]!["text"]);
        Assert.Equal("plain_text", (string?)blocks[0]!["text"]!["type"]);
        var fields = blocks[2]!["fields"]!.AsArray().Select(f => (string?)f!["text"]).ToList();
        Assert.Contains($"*Incident*\n{NotificationSamples.IncidentId}", fields);
        Assert.Contains("*Severity*\ncritical", fields);
        Assert.Contains("*Alerts*\nCanaryHighErrorRate", fields);
        Assert.Contains("*Action*\nrollback_canary", fields);
        var button = blocks[3]!["elements"]![0]!;
        Assert.Equal("button", (string?)button["type"]);
        Assert.Equal($"https://autopilot.example.com/console/incidents/{NotificationSamples.IncidentId}", (string?)button["url"]);
        Assert.StartsWith("Escalated: shop/checkout: escalated", (string?)slack["text"]);
    }

    [Fact]
    public void Alert_text_cannot_mention_people_or_make_links_in_slack()
    {
        var slack = JsonNode.Parse(NotificationPayloads.For(NotificationReceiver.Slack, NotificationSamples.Escalation()))!;

        Assert.Equal("escalated: health could not be judged &lt;@here&gt; &amp; more", (string?)slack["blocks"]![1]!["text"]!["text"]);
    }

    [Fact]
    public void A_slack_message_without_a_console_url_has_no_button_and_long_text_is_cut_to_slacks_limits()
    {
        var long_ = NotificationSamples.Escalation() with { ConsoleUrl = null, Summary = new string('x', 5000), Workload = "shop/" + new string('w', 200) };

        var blocks = NotificationPayloads.Slack(long_)["blocks"]!.AsArray();

        Assert.DoesNotContain(blocks, b => (string?)b!["type"] == "actions");
        Assert.Equal(150, ((string?)blocks[0]!["text"]!["text"])!.Length);
        Assert.Equal(3000, ((string?)blocks[1]!["text"]!["text"])!.Length);
    }

    [Fact]
    public void The_generic_webhook_body_carries_every_field_of_schema_version_1()
    {
        using var json = JsonDocument.Parse(NotificationPayloads.For(NotificationReceiver.Webhook, NotificationSamples.Escalation() with { Severity = null }));
        var root = json.RootElement;

        Assert.Equal(
            ["schemaVersion", "id", "kind", "incidentId", "workload", "namespace", "severity", "phase", "summary", "action", "alertNames", "at", "consoleUrl"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(NotificationPayloads.WebhookSchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal($"{NotificationSamples.IncidentId}/escalated/3", root.GetProperty("id").GetString());
        Assert.Equal("escalated", root.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("severity").ValueKind);
        Assert.Equal(NotificationSamples.At, root.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("CanaryHighErrorRate", root.GetProperty("alertNames")[0].GetString());
    }
}
