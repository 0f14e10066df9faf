using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Health;

/// <summary>
/// Configuration section "Autopilot:Health": where Prometheus is, the PromQL per metric and what counts as healthy.
/// Templates are instant queries returning one series per version (label "version"); placeholders:
/// {namespace}, {workload}, {window}.
/// </summary>
public sealed class HealthOptions : IValidatableObject
{
    public const string Section = "Autopilot:Health";

    /// <summary>Base address of the Prometheus HTTP API, e.g. http://prometheus:9090.</summary>
    public string PrometheusUrl { get; set; } = "http://localhost:9090";

    /// <summary>Range used in rate() windows, e.g. "1m".</summary>
    [Required]
    public string Window { get; set; } = "1m";

    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public string ErrorRatioQuery { get; set; } =
        "sum by (version) (rate(http_requests_total{namespace=\"{namespace}\",workload=\"{workload}\",code=~\"5..\"}[{window}]))"
        + " / sum by (version) (rate(http_requests_total{namespace=\"{namespace}\",workload=\"{workload}\"}[{window}]))";

    public string P99LatencyMsQuery { get; set; } =
        "1000 * histogram_quantile(0.99, sum by (version, le) (rate(http_request_duration_seconds_bucket{namespace=\"{namespace}\",workload=\"{workload}\"}[{window}])))";

    public string RequestsPerSecondQuery { get; set; } =
        "sum by (version) (rate(http_requests_total{namespace=\"{namespace}\",workload=\"{workload}\"}[{window}]))";

    public string RestartsQuery { get; set; } =
        "sum by (version) (kube_pod_container_status_restarts_total{namespace=\"{namespace}\",workload=\"{workload}\"})";

    /// <summary>Traffic-weighted error ratio at or below this is healthy.</summary>
    [Range(0.0, 1.0)]
    public double MaxErrorRatio { get; set; } = 0.05;

    /// <summary>p99 latency (worst version with traffic) at or below this is healthy.</summary>
    [Range(1.0, 600_000.0)]
    public double MaxP99LatencyMs { get; set; } = 1000;

    /// <summary>A backend with more container restarts than this is out of bounds (the fact sheet says so).</summary>
    [Range(0, 1_000_000)]
    public int MaxRestarts { get; set; } = 2;

    /// <summary>A change "improved" health when the error ratio (or p99) fell by at least this fraction, or is healthy.</summary>
    [Range(0.0, 1.0)]
    public double MinImprovement { get; set; } = 0.2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(PrometheusUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new ValidationResult($"{Section}:PrometheusUrl is '{PrometheusUrl}'; use an absolute http(s) URL such as http://prometheus:9090.", [nameof(PrometheusUrl)]);
        if (QueryTimeout <= TimeSpan.Zero || QueryTimeout > TimeSpan.FromMinutes(2))
            yield return new ValidationResult($"{Section}:QueryTimeout is {QueryTimeout}; use a duration between 00:00:00.001 and 00:02:00.", [nameof(QueryTimeout)]);
        foreach (var (name, query) in new[]
                 {
                     (nameof(ErrorRatioQuery), ErrorRatioQuery), (nameof(P99LatencyMsQuery), P99LatencyMsQuery),
                     (nameof(RequestsPerSecondQuery), RequestsPerSecondQuery), (nameof(RestartsQuery), RestartsQuery),
                 })
        {
            if (string.IsNullOrWhiteSpace(query))
                yield return new ValidationResult($"{Section}:{name} is empty; give a PromQL instant query grouped by version (placeholders {{namespace}}, {{workload}}, {{window}}).", [name]);
        }
    }
}
