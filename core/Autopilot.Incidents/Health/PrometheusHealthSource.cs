using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Health;

/// <summary>
/// Reads a workload's health per version from the Prometheus HTTP API (instant queries, one per metric, each
/// grouped by the "version" label). Query failures throw <see cref="PrometheusQueryException"/>.
/// </summary>
public sealed class PrometheusHealthSource(HttpClient http, IOptions<HealthOptions> options, TimeProvider time) : IWorkloadHealthSource
{
    private readonly HealthOptions _options = options.Value;

    public async Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct)
    {
        var errorRatio = QueryAsync(_options.ErrorRatioQuery, workload, ct);
        var latency = QueryAsync(_options.P99LatencyMsQuery, workload, ct);
        var rps = QueryAsync(_options.RequestsPerSecondQuery, workload, ct);
        var restarts = QueryAsync(_options.RestartsQuery, workload, ct);
        await Task.WhenAll(errorRatio, latency, rps, restarts);

        var versions = route is null
            ? errorRatio.Result.Keys.Concat(rps.Result.Keys).Concat(latency.Result.Keys).Concat(restarts.Result.Keys).Distinct().Order(StringComparer.Ordinal).ToList()
            : route.Weights().Select(w => w.Name).ToList();
        var at = time.GetUtcNow();
        return versions
            .Select(version => new MetricSnapshot(
                version,
                errorRatio.Result.GetValueOrDefault(version, double.NaN),
                latency.Result.GetValueOrDefault(version, double.NaN),
                rps.Result.GetValueOrDefault(version, 0),
                (int)Math.Round(restarts.Result.GetValueOrDefault(version, 0)),
                at))
            .ToList();
    }

    /// <summary>The query with its placeholders filled; label values are escaped for a PromQL string.</summary>
    public string Render(string template, WorkloadKey workload) => template
        .Replace("{namespace}", Escape(workload.Namespace), StringComparison.Ordinal)
        .Replace("{workload}", Escape(workload.Name), StringComparison.Ordinal)
        .Replace("{window}", _options.Window, StringComparison.Ordinal);

    private async Task<Dictionary<string, double>> QueryAsync(string template, WorkloadKey workload, CancellationToken ct)
    {
        var query = Render(template, workload);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.QueryTimeout);
        var url = new Uri(new Uri(_options.PrometheusUrl.TrimEnd('/') + "/"), "api/v1/query?query=" + Uri.EscapeDataString(query));
        PrometheusResponse? body;
        try
        {
            using var response = await http.GetAsync(url, timeout.Token);
            body = await response.Content.ReadFromJsonAsync<PrometheusResponse>(timeout.Token);
            if (!response.IsSuccessStatusCode || body is not { Status: "success" })
                throw new PrometheusQueryException(query, $"HTTP {(int)response.StatusCode}: {body?.ErrorType} {body?.Error}".Trim());
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or NotSupportedException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new PrometheusQueryException(query, e.Message, e);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (body.Data is not { ResultType: "vector", Result: { } series }) return values;
        foreach (var sample in series)
        {
            if (sample.Metric is null || !sample.Metric.TryGetValue("version", out var version)) continue;
            if (sample.Value is not { Length: 2 } pair || pair[1].ValueKind != JsonValueKind.String) continue;
            if (double.TryParse(pair[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                values[version] = value;
        }
        return values;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed record PrometheusResponse(
        [property: JsonPropertyName("status")] string? Status,
        [property: JsonPropertyName("data")] PrometheusData? Data,
        [property: JsonPropertyName("errorType")] string? ErrorType,
        [property: JsonPropertyName("error")] string? Error);

    private sealed record PrometheusData(
        [property: JsonPropertyName("resultType")] string? ResultType,
        [property: JsonPropertyName("result")] IReadOnlyList<PrometheusSample>? Result);

    private sealed record PrometheusSample(
        [property: JsonPropertyName("metric")] Dictionary<string, string>? Metric,
        [property: JsonPropertyName("value")] JsonElement[]? Value);
}

public sealed class PrometheusQueryException(string query, string message, Exception? inner = null)
    : Exception($"Prometheus query failed ({message}): {query}", inner)
{
    public string Query { get; } = query;
}
