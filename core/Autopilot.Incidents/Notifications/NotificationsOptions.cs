using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Autopilot.Incidents.Notifications;

/// <summary>Configuration section "Autopilot:Notifications": who is told about incident transitions, and how hard the
/// sender tries (docs/notifications.md).</summary>
public sealed class NotificationsOptions : IValidatableObject
{
    public const string Section = "Autopilot:Notifications";

    /// <summary>Where people reach this autopilot's console; messages link to {PublicUrl}/console/incidents/{id}. Required
    /// once a receiver is configured.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>Messages waiting for the sender; past this, new ones are dropped, counted and noted on the incident,
    /// so a dead receiver never holds the loop up.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Tries per receiver and message, the first included; retries back off exponentially from RetryDelay.</summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one try may take before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>None by default: nothing is sent. (No initial items: the configuration binder would append to them.)</summary>
    public List<NotificationReceiver> Receivers { get; set; } = [];

    public Uri? ConsoleUrl(string incidentId) =>
        PublicUrl.Length == 0 ? null : new Uri($"{PublicUrl.TrimEnd('/')}/console/incidents/{Uri.EscapeDataString(incidentId)}");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicUrl.Length > 0 && !IsHttpUrl(PublicUrl))
            yield return Invalid(nameof(PublicUrl), $"is '{PublicUrl}'; use the absolute http(s) URL people open the console at, e.g. https://autopilot.example.com.");
        if (PublicUrl.Length == 0 && Receivers.Count > 0)
            yield return Invalid(nameof(PublicUrl), $"is empty while {Receivers.Count} receiver(s) are configured; set the absolute http(s) URL people open the console at, e.g. https://autopilot.example.com, so messages can link to the incident.");
        if (QueueCapacity is < 1 or > 100_000)
            yield return Invalid(nameof(QueueCapacity), $"is {QueueCapacity}; use a number of messages between 1 and 100000.");
        if (MaxAttempts is < 1 or > 10)
            yield return Invalid(nameof(MaxAttempts), $"is {MaxAttempts}; use a number of tries between 1 and 10 (1 = no retry).");
        if (RetryDelay < TimeSpan.FromMilliseconds(1) || RetryDelay > TimeSpan.FromMinutes(5))
            yield return Invalid(nameof(RetryDelay), $"is {RetryDelay}; use a duration between 00:00:00.001 and 00:05:00.");
        if (AttemptTimeout < TimeSpan.FromSeconds(1) || AttemptTimeout > TimeSpan.FromMinutes(5))
            yield return Invalid(nameof(AttemptTimeout), $"is {AttemptTimeout}; use a duration between 00:00:01 and 00:05:00.");
        for (var i = 0; i < Receivers.Count; i++)
        {
            foreach (var problem in Receivers[i].Problems())
                yield return new ValidationResult($"{Section}:Receivers:{i}:{problem.Key} {problem.Message}", [nameof(Receivers)]);
        }
        foreach (var name in Receivers.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return Invalid(nameof(Receivers), $"name '{name}' more than once; give each receiver a name of its own (deliveries are recorded by it).");
    }

    internal static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static ValidationResult Invalid(string key, string message) => new($"{Section}:{key} {message}", [key]);
}

/// <summary>One place messages go, and which incidents it wants. Empty filters match everything.</summary>
public sealed partial class NotificationReceiver
{
    public const string Slack = "slack";
    public const string Webhook = "webhook";

    /// <summary>How deliveries to it are recorded on incidents and labelled in metrics.</summary>
    public string Name { get; set; } = "";

    /// <summary>"slack" (an incoming webhook: Block Kit blocks) or "webhook" (the generic JSON of docs/notifications.md).</summary>
    public string Format { get; set; } = Webhook;

    /// <summary>Where to POST. A Slack webhook URL is a secret: set it from one, e.g. Autopilot__Notifications__Receivers__0__Url.</summary>
    public string Url { get; set; } = "";

    /// <summary>Workload namespaces it wants; empty = all.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary>Alert severities (the "severity" label) it wants; empty = all, including incidents without one.</summary>
    public List<string> Severities { get; set; } = [];

    /// <summary>Transitions it wants (escalated, approval_needed, change_applied, rolled_back, resolved); empty = all.</summary>
    public List<string> Events { get; set; } = [];

    public bool Wants(IncidentNotification notification) =>
        (Namespaces.Count == 0 || Namespaces.Contains(notification.Namespace, StringComparer.Ordinal))
        && (Severities.Count == 0 || (notification.Severity is { } severity && Severities.Contains(severity, StringComparer.OrdinalIgnoreCase)))
        && (Events.Count == 0 || Events.Any(e => NotificationNames.Parse(e) == notification.Kind));

    internal IEnumerable<(string Key, string Message)> Problems()
    {
        if (!ReceiverName().IsMatch(Name))
            yield return (nameof(Name), $"is '{Name}'; use 1 to 63 letters, digits, '-', '_' or '.', e.g. slack-oncall.");
        if (Format is not (Slack or Webhook))
            yield return (nameof(Format), $"is '{Format}'; use '{Slack}' (a Slack incoming webhook) or '{Webhook}' (the generic JSON webhook).");
        if (!NotificationsOptions.IsHttpUrl(Url))
            yield return (nameof(Url), $"is '{Redacted(Url)}'; use the absolute http(s) URL to POST messages to.");
        foreach (var e in Events.Where(e => NotificationNames.Parse(e) is null))
            yield return (nameof(Events), $"has '{e}'; use any of {string.Join(", ", NotificationNames.All)}.");
        foreach (var (key, list) in new[] { (nameof(Namespaces), Namespaces), (nameof(Severities), Severities) })
        {
            if (list.Any(string.IsNullOrWhiteSpace))
                yield return (key, "has a blank entry; name each value, or leave the list empty to match all.");
        }
    }

    /// <summary>A start-up error must not print a webhook's secret path into the logs.</summary>
    private static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.AbsolutePath.Length > 1 ? $"{uri.GetLeftPart(UriPartial.Authority)}/…" : url;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,63}$")]
    private static partial Regex ReceiverName();
}
