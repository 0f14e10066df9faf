using System.Globalization;
using System.Text;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Metrics;

/// <summary>Renders workload snapshots in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusTextFormat
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(IReadOnlyList<WorkloadSnapshot> workloads)
    {
        var text = new StringBuilder();
        Header(text, "http_requests_total", "counter", "HTTP requests served, by version and status code.");
        foreach (var w in workloads)
            foreach (var v in w.Versions)
                foreach (var (code, count) in v.RequestsByCode.OrderBy(c => c.Key, StringComparer.Ordinal))
                    Sample(text, "http_requests_total", Labels(w, v.Version, ("code", code)), count);

        Header(text, "http_request_duration_seconds", "histogram", "HTTP request duration in seconds, by version.");
        foreach (var w in workloads)
            foreach (var v in w.Versions)
            {
                for (var i = 0; i < LatencyHistogram.Bounds.Count; i++)
                    Sample(text, "http_request_duration_seconds_bucket", Labels(w, v.Version, ("le", Number(LatencyHistogram.Bounds[i]))), v.Latency.Cumulative[i]);
                Sample(text, "http_request_duration_seconds_bucket", Labels(w, v.Version, ("le", "+Inf")), v.Latency.Count);
                Sample(text, "http_request_duration_seconds_sum", Labels(w, v.Version), v.Latency.Sum);
                Sample(text, "http_request_duration_seconds_count", Labels(w, v.Version), v.Latency.Count);
            }

        Header(text, "kube_pod_container_status_restarts_total", "counter", "Container restarts, by version.");
        foreach (var w in workloads)
            foreach (var v in w.Versions)
                Sample(text, "kube_pod_container_status_restarts_total", Labels(w, v.Version), v.Restarts);

        Header(text, "certificate_expiry_seconds", "gauge", "Seconds until the serving certificate expires.");
        foreach (var w in workloads)
            Sample(text, "certificate_expiry_seconds", Labels(w, null), w.CertificateExpirySeconds);

        Header(text, "dependency_up", "gauge", "1 when the dependency answers, 0 when it is down.");
        foreach (var w in workloads)
            foreach (var (dependency, up) in w.DependencyUp.OrderBy(d => d.Key, StringComparer.Ordinal))
                Sample(text, "dependency_up", Labels(w, null, ("dependency", dependency)), up ? 1 : 0);
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, double value) =>
        text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');

    private static string Labels(WorkloadSnapshot w, string? version, params (string Name, string Value)[] extra)
    {
        var pairs = new List<(string, string)> { ("namespace", w.Key.Namespace), ("workload", w.Key.Name) };
        if (version is not null) pairs.Add(("version", version));
        pairs.AddRange(extra);
        return "{" + string.Join(",", pairs.Select(p => $"{p.Item1}=\"{Escape(p.Item2)}\"")) + "}";
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);
}
