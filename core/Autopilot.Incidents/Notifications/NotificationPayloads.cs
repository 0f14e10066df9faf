using System.Text.Json.Nodes;

namespace Autopilot.Incidents.Notifications;

/// <summary>The body each receiver format gets: Slack's Block Kit for an incoming webhook, or the generic JSON
/// (schema version 1, docs/notifications.md).</summary>
public static class NotificationPayloads
{
    public const int WebhookSchemaVersion = 1;

    public static string For(string format, IncidentNotification n) =>
        format == NotificationReceiver.Slack ? Slack(n).ToJsonString() : Webhook(n);

    /// <summary>The generic JSON webhook body: every field always present (null when unknown).</summary>
    public static string Webhook(IncidentNotification n) => new JsonObject
    {
        ["schemaVersion"] = WebhookSchemaVersion,
        ["id"] = n.Key,
        ["kind"] = NotificationNames.Of(n.Kind),
        ["incidentId"] = n.IncidentId,
        ["workload"] = n.Workload,
        ["namespace"] = n.Namespace,
        ["severity"] = n.Severity,
        ["phase"] = n.Phase,
        ["summary"] = n.Summary,
        ["action"] = n.Action,
        ["alertNames"] = new JsonArray([.. n.AlertNames.Select(name => JsonValue.Create(name))]),
        ["at"] = n.At,
        ["consoleUrl"] = n.ConsoleUrl,
    }.ToJsonString();

    /// <summary>A header, the summary, the facts as fields, and a button to the console; "text" is the notification's
    /// fallback (phone pushes, clients without blocks).</summary>
    public static JsonObject Slack(IncidentNotification n)
    {
        var title = $"{Title(n.Kind)}: {n.Workload}";
        var fields = new JsonArray(
            Field("Incident", n.IncidentId),
            Field("Severity", n.Severity ?? "none"),
            Field("Alerts", n.AlertNames.Count == 0 ? "none" : string.Join(", ", n.AlertNames)),
            Field("Action", n.Action ?? "none"));
        var blocks = new JsonArray(
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Truncate(title, 150)) },
            new JsonObject { ["type"] = "section", ["text"] = Markdown(Truncate(Escape(n.Summary), 3000)) },
            new JsonObject { ["type"] = "section", ["fields"] = fields });
        if (n.ConsoleUrl is { } url)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "button", ["text"] = PlainText("Open in the console"), ["url"] = url }),
            });
        }
        return new JsonObject { ["text"] = $"{title}: {n.Summary}", ["blocks"] = blocks };
    }

    public static string Title(NotificationKind kind) => kind switch
    {
        NotificationKind.Escalated => "Escalated",
        NotificationKind.ApprovalNeeded => "Approval needed",
        NotificationKind.ChangeApplied => "Change applied",
        NotificationKind.RolledBack => "Rolled back",
        NotificationKind.Resolved => "Resolved",
        _ => kind.ToString(),
    };

    private static JsonObject Field(string name, string value) => Markdown($"*{name}*\n{Truncate(Escape(value), 1900)}");

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>Slack reads &amp;, &lt; and &gt; as control characters in mrkdwn; alert text must not become links or mentions.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
