using System.ComponentModel.DataAnnotations;

namespace Autopilot.Api.Alerts;

/// <summary>Configuration section "Autopilot:Alerts": how alerts come in (webhook) and where they are published.</summary>
public sealed class AlertsOptions : IValidatableObject
{
    public const string Section = "Autopilot:Alerts";

    /// <summary>When set, POST /alertmanager requires "Authorization: Bearer &lt;token&gt;" (Alertmanager:
    /// webhook_configs.http_config.authorization.credentials).</summary>
    public string? BearerToken { get; set; }

    public string PubSubName { get; set; } = "alerts-pubsub";

    public string Topic { get; set; } = "alerts";

    public string DeadLetterTopic { get; set; } = "alerts-deadletter";

    /// <summary>The newest rejected alerts kept in memory for GET /alerts/rejected; older ones are let go and counted.</summary>
    public int MaxRejectedKept { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRejectedKept is < 1 or > 100_000)
            yield return new ValidationResult($"{Section}:MaxRejectedKept is {MaxRejectedKept}; use a number of alerts between 1 and 100000.", [nameof(MaxRejectedKept)]);
        // A blank token would look like protection and check nothing.
        if (BearerToken is not null && string.IsNullOrWhiteSpace(BearerToken))
            yield return new ValidationResult(
                $"{Section}:BearerToken is blank; set the token Alertmanager sends, or remove the key to accept alerts without one.",
                [nameof(BearerToken)]);
        foreach (var (name, value) in new[] { (nameof(PubSubName), PubSubName), (nameof(Topic), Topic), (nameof(DeadLetterTopic), DeadLetterTopic) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                yield return new ValidationResult(
                    $"{Section}:{name} is '{value}'; it must be a Dapr component or topic name: letters, digits, '-', '_' or '.', no spaces.",
                    [name]);
        }
        if (Topic == DeadLetterTopic)
            yield return new ValidationResult(
                $"{Section}:DeadLetterTopic is '{DeadLetterTopic}', the same as {Section}:Topic; dead letters need a topic of their own.",
                [nameof(DeadLetterTopic)]);
    }
}
