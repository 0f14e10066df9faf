using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.Simulator.Alerting;

/// <summary>One alert as Alertmanager's webhook (payload version 4) carries it.</summary>
public sealed record WebhookAlert(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl,
    [property: JsonPropertyName("fingerprint")] string Fingerprint);

/// <summary>Alertmanager's webhook body, version 4, as the built-in evaluator sends it.</summary>
public sealed record AlertmanagerWebhook(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("groupKey")] string GroupKey,
    [property: JsonPropertyName("truncatedAlerts")] int TruncatedAlerts,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("receiver")] string Receiver,
    [property: JsonPropertyName("groupLabels")] IReadOnlyDictionary<string, string> GroupLabels,
    [property: JsonPropertyName("commonLabels")] IReadOnlyDictionary<string, string> CommonLabels,
    [property: JsonPropertyName("commonAnnotations")] IReadOnlyDictionary<string, string> CommonAnnotations,
    [property: JsonPropertyName("externalURL")] string ExternalUrl,
    [property: JsonPropertyName("alerts")] IReadOnlyList<WebhookAlert> Alerts)
{
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this);

    /// <summary>Groups alerts the way the shipped Alertmanager route does: by namespace and workload.</summary>
    public static AlertmanagerWebhook ForGroup(
        string @namespace, string workload, IReadOnlyList<WebhookAlert> alerts, string externalUrl, string receiver = "autopilot")
    {
        var groupLabels = new Dictionary<string, string>(StringComparer.Ordinal) { ["namespace"] = @namespace, ["workload"] = workload };
        return new AlertmanagerWebhook(
            "4",
            $"{{}}:{{namespace=\"{@namespace}\", workload=\"{workload}\"}}",
            0,
            alerts.Any(a => a.Status == "firing") ? "firing" : "resolved",
            receiver,
            groupLabels,
            Common(alerts.Select(a => a.Labels)),
            Common(alerts.Select(a => a.Annotations)),
            externalUrl,
            alerts);
    }

    /// <summary>Alertmanager's fingerprint: FNV-1a 64 over the sorted label names and values.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        const ulong offset = 14695981039346656037, prime = 1099511628211;
        var hash = offset;
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(name)) hash = (hash ^ b) * prime;
            hash = (hash ^ 0xff) * prime;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(value)) hash = (hash ^ b) * prime;
            hash = (hash ^ 0xff) * prime;
        }
        return hash.ToString("x16");
    }

    private static IReadOnlyDictionary<string, string> Common(IEnumerable<IReadOnlyDictionary<string, string>> maps)
    {
        Dictionary<string, string>? common = null;
        foreach (var map in maps)
        {
            if (common is null) { common = new(map, StringComparer.Ordinal); continue; }
            foreach (var key in common.Keys.ToList())
                if (!map.TryGetValue(key, out var value) || value != common[key]) common.Remove(key);
        }
        return common ?? new Dictionary<string, string>();
    }
}
