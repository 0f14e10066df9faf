using System.ComponentModel.DataAnnotations;
using Autopilot.Hosting;

namespace Autopilot.Api.Alerts;

/// <summary>Configuration section "Autopilot:Alerts": how alerts come in (webhook) and where they are published.</summary>
public sealed class AlertsOptions : IValidatableObject
{
    public const string Section = "Autopilot:Alerts";

    /// <summary>The token POST /alertmanager requires as "Authorization: Bearer &lt;token&gt;" (Alertmanager:
    /// webhook_configs.http_config.authorization.credentials_file). Required unless <see cref="AllowAnonymousWebhook"/>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>A development switch: with no <see cref="BearerToken"/>, accept alerts from anyone who can reach the
    /// webhook. Never set it where a forged alert could matter: one is enough to start an incident.</summary>
    public bool AllowAnonymousWebhook { get; set; }

    public string PubSubName { get; set; } = "alerts-pubsub";

    public string Topic { get; set; } = "alerts";

    public string DeadLetterTopic { get; set; } = "alerts-deadletter";

    /// <summary>The newest rejected alerts kept in memory for GET /alerts/rejected; older ones are let go and counted.</summary>
    public int MaxRejectedKept { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRejectedKept is < 1 or > 100_000)
            yield return new ValidationResult($"{Section}:MaxRejectedKept is {MaxRejectedKept}; use a number of alerts between 1 and 100000.", [nameof(MaxRejectedKept)]);
        if (SharedTokens.Problem($"{Section}:BearerToken", BearerToken, AllowAnonymousWebhook,
                $"{Section}:BearerToken is not set, so POST /alertmanager would accept alerts from anyone who can reach it. " +
                $"Set it to the token Alertmanager sends (Kubernetes: Secret autopilot-webhook-token), or, on a development machine only, " +
                $"set {Section}:AllowAnonymousWebhook=true.") is { } tokenProblem)
            yield return new ValidationResult(tokenProblem, [nameof(BearerToken)]);
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
