namespace Autopilot.Actors.Alerts;

/// <summary>Configuration section "Autopilot:Alerts": the webhook and the topic it publishes to.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Autopilot:Alerts";

    /// <summary>When set, POST /alertmanager requires "Authorization: Bearer &lt;token&gt;" (Alertmanager:
    /// webhook_configs.http_config.authorization.credentials).</summary>
    public string? BearerToken { get; set; }

    public string PubSubName { get; set; } = "alerts-pubsub";

    public string Topic { get; set; } = "alerts";

    public string DeadLetterTopic { get; set; } = "alerts-deadletter";
}
