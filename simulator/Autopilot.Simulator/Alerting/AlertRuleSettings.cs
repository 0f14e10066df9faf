namespace Autopilot.Simulator.Alerting;

/// <summary>
/// The thresholds and windows of the shipped alert rules, in one place. deploy/prometheus/rules.yaml states the
/// same conditions in PromQL; a test reads that file and fails when the two disagree. <see cref="Standard"/> is what
/// production runs; <see cref="Fast"/> compresses the windows the same way the fast rules variant for tests does
/// (every "[1m]" / "for: 1m" becomes seconds) so a demo finishes in about a minute.
/// </summary>
public sealed record AlertRuleSettings
{
    public const string CanaryHighErrorRate = "CanaryHighErrorRate";
    public const string CanaryLatencyRegression = "CanaryLatencyRegression";
    public const string DependencyOutage = "DependencyOutage";
    public const string TrafficSurge = "TrafficSurge";
    public const string AllVersionsFailing = "AllVersionsFailing";
    public const string PodCrashLooping = "PodCrashLooping";
    public const string CertificateExpiringSoon = "CertificateExpiringSoon";
    public const string AlertFlapping = "AlertFlapping";

    public static readonly IReadOnlyList<string> AlertNames =
    [
        CanaryHighErrorRate, CanaryLatencyRegression, DependencyOutage, TrafficSurge,
        AllVersionsFailing, PodCrashLooping, CertificateExpiringSoon, AlertFlapping,
    ];

    /// <summary>Share of a version's requests answered 5xx above which it is failing.</summary>
    public double ErrorRatioThreshold { get; init; } = 0.05;

    /// <summary>p99 request duration (seconds) above which a version has regressed.</summary>
    public double LatencyP99ThresholdSeconds { get; init; } = 0.5;

    /// <summary>Requests per second for the whole workload above which it is surging.</summary>
    public double SurgeRequestsPerSecond { get; init; } = 200;

    /// <summary>Container restarts within <see cref="RestartWindow"/> that count as crash-looping.</summary>
    public double CrashLoopRestarts { get; init; } = 3;

    /// <summary>Remaining certificate lifetime below which it is expiring soon.</summary>
    public TimeSpan CertificateExpiryThreshold { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Changes of a version's failing state within <see cref="FlapWindow"/> that count as flapping.</summary>
    public int FlapChanges { get; init; } = 4;

    /// <summary>The range of rate()/histogram_quantile() for error ratio, latency and traffic ("[1m]").</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The short range the flap detector looks at, so it sees bursts the rate window averages away.</summary>
    public TimeSpan FlapRateWindow { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan FlapWindow { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a condition must hold before the alert fires ("for:").</summary>
    public TimeSpan For { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a still-firing alert is notified again (Alertmanager's repeat_interval).</summary>
    public TimeSpan RepeatInterval { get; init; } = TimeSpan.FromMinutes(5);

    public static AlertRuleSettings Standard { get; } = new();

    public static AlertRuleSettings Fast { get; } = new()
    {
        RateWindow = TimeSpan.FromSeconds(10),
        FlapRateWindow = TimeSpan.FromSeconds(2),
        FlapWindow = TimeSpan.FromSeconds(30),
        RestartWindow = TimeSpan.FromSeconds(15),
        For = TimeSpan.FromSeconds(3),
        EvaluationInterval = TimeSpan.FromSeconds(1),
        RepeatInterval = TimeSpan.FromSeconds(30),
    };

    /// <summary>The history the evaluator must keep to answer every range it uses.</summary>
    public TimeSpan LongestWindow => new[] { RateWindow, FlapRateWindow, RestartWindow }.Max() + EvaluationInterval;
}
