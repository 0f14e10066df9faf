using Autopilot.Remediation.Alerts;

namespace Autopilot.Remediation.Tests;

/// <summary>Builds alerts the way the parser would produce them, for tests of later stages.</summary>
internal static class AlertFactory
{
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);

    public static Alert Firing(
        string name,
        string ns = "shop",
        string workload = "checkout",
        string severity = "critical",
        string? version = null,
        DateTimeOffset? startsAt = null,
        IReadOnlyDictionary<string, string>? extraLabels = null,
        string? summary = null,
        AlertStatus status = AlertStatus.Firing)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = name,
            ["namespace"] = ns,
            ["workload"] = workload,
            ["severity"] = severity,
        };
        if (version is not null) labels["version"] = version;
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>()) labels[key] = value;
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (summary is not null) annotations["summary"] = summary;
        var start = startsAt ?? Now.AddMinutes(-5);
        return new Alert(AlertFingerprint.Of(labels), status, labels, annotations, start,
            status == AlertStatus.Resolved ? start.AddMinutes(3) : null, null);
    }
}
