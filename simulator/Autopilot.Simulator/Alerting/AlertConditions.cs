using System.Globalization;
using Autopilot.Simulator.Workloads;
using static Autopilot.Simulator.Alerting.AlertRuleSettings;

namespace Autopilot.Simulator.Alerting;

/// <summary>An alert condition that holds right now, with the labels and annotations the rule gives it.</summary>
public sealed record ActiveCondition(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public string Name => Labels["alertname"];

    /// <summary>Identity of the alert instance: its sorted labels.</summary>
    public string Identity => string.Join(",", Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}

/// <summary>
/// The conditions of the shipped rules, evaluated on one workload's windows. Mirrors deploy/prometheus/rules.yaml:
/// a version is failing when its 5xx ratio is above the threshold; "canary" alerts need another version with
/// traffic that is not failing (otherwise rerouting can't help and AllVersionsFailing fires instead), and a
/// dependency that is down explains an all-versions failure (DependencyOutage, not AllVersionsFailing).
/// </summary>
public static class AlertConditions
{
    public static IReadOnlyList<ActiveCondition> Evaluate(
        WorkloadSnapshot latest,
        IReadOnlyList<VersionWindow> rate,
        IReadOnlyList<VersionWindow> restarts,
        IReadOnlyCollection<string> flappingVersions,
        AlertRuleSettings settings)
    {
        var found = new List<ActiveCondition>();
        var served = rate.Where(v => v.HasTraffic).ToList();
        bool Failing(VersionWindow v) => v.ErrorRatio > settings.ErrorRatioThreshold;
        bool Slow(VersionWindow v) => v.P99Seconds > settings.LatencyP99ThresholdSeconds;
        var downDependencies = latest.DependencyUp.Where(d => !d.Value).Select(d => d.Key).ToList();

        foreach (var dependency in downDependencies)
            found.Add(Condition(latest, DependencyOutage, "critical", [("dependency", dependency)],
                $"Dependency {dependency} of {latest.Key} is down",
                "Every version depends on it; shifting traffic between versions cannot help."));

        if (served.Count > 0 && served.All(Failing) && downDependencies.Count == 0)
            found.Add(Condition(latest, AllVersionsFailing, "critical", [],
                $"All versions of {latest.Key} are failing",
                $"5xx ratio per version: {string.Join(", ", served.Select(v => $"{v.Version} {Percent(v.ErrorRatio)}"))}."));

        foreach (var version in served.Where(v => Failing(v) && served.Any(o => o.Version != v.Version && !Failing(o))))
            found.Add(Condition(latest, CanaryHighErrorRate, "critical", [("version", version.Version)],
                $"{version.Version} of {latest.Key} answers {Percent(version.ErrorRatio)} 5xx",
                $"5xx ratio {Percent(version.ErrorRatio)} over {Range(settings.RateWindow)} is above {Percent(settings.ErrorRatioThreshold)} while other versions are healthy."));

        foreach (var version in served.Where(v => Slow(v) && served.Any(o => o.Version != v.Version && !Slow(o))))
            found.Add(Condition(latest, CanaryLatencyRegression, "warning", [("version", version.Version)],
                $"{version.Version} of {latest.Key} p99 latency is {version.P99Seconds * 1000:F0} ms",
                $"p99 over {Range(settings.RateWindow)} is above {settings.LatencyP99ThresholdSeconds * 1000:F0} ms while other versions are fast."));

        var totalRps = served.Sum(v => v.RequestsPerSecond);
        if (totalRps > settings.SurgeRequestsPerSecond)
            found.Add(Condition(latest, TrafficSurge, "warning", [],
                $"{latest.Key} receives {totalRps:F0} requests/s",
                $"Above {settings.SurgeRequestsPerSecond:F0} requests/s over {Range(settings.RateWindow)}."));

        foreach (var version in restarts.Where(v => v.RestartsIncrease > settings.CrashLoopRestarts))
            found.Add(Condition(latest, PodCrashLooping, "warning", [("version", version.Version)],
                $"{version.Version} of {latest.Key} restarted {version.RestartsIncrease:F0} times",
                $"More than {settings.CrashLoopRestarts:F0} container restarts in {Range(settings.RestartWindow)}."));

        if (latest.CertificateExpirySeconds < settings.CertificateExpiryThreshold.TotalSeconds)
            found.Add(Condition(latest, CertificateExpiringSoon, "warning", [],
                $"The serving certificate of {latest.Key} expires in {TimeSpan.FromSeconds(latest.CertificateExpirySeconds):g}",
                $"Below {settings.CertificateExpiryThreshold.TotalDays:F0} days; renew it (traffic changes cannot help)."));

        foreach (var version in flappingVersions)
            found.Add(Condition(latest, AlertFlapping, "info", [("version", version)],
                $"{version} of {latest.Key} keeps flipping between failing and healthy",
                $"Its failing state changed at least {settings.FlapChanges} times in {Range(settings.FlapWindow)}; noisy, not sustained."));
        return found;
    }

    private static ActiveCondition Condition(
        WorkloadSnapshot w, string name, string severity, (string, string)[] extra, string summary, string description)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = name,
            ["namespace"] = w.Key.Namespace,
            ["workload"] = w.Key.Name,
            ["severity"] = severity,
        };
        foreach (var (key, value) in extra) labels[key] = value;
        return new ActiveCondition(labels, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = summary,
            ["description"] = description,
        });
    }

    private static string Percent(double ratio) => ratio.ToString("P1", CultureInfo.InvariantCulture);

    private static string Range(TimeSpan range) =>
        range.TotalMinutes >= 1 && range.Seconds == 0 ? $"{range.TotalMinutes:F0}m" : $"{range.TotalSeconds:F0}s";
}
