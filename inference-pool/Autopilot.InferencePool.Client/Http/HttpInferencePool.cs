using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Autopilot.InferencePool.Client.Http;

/// <summary>
/// <see cref="IInferencePool"/> over the pool's HTTP API. The HttpClient's BaseAddress is the pool (or the Dapr sidecar's
/// invoke URL ending in "/method/"); every request carries <paramref name="callerId"/> so leases are bound to this caller.
/// </summary>
public sealed class HttpInferencePool(HttpClient http, string callerId) : IInferencePool
{
    public async Task<SessionLease> LeaseAsync(TimeSpan? maxWait = null, CancellationToken cancellationToken = default)
    {
        var path = maxWait is { } wait
            ? $"sessions?{PoolHeaders.MaxWaitQuery}={((long)Math.Max(0, Math.Ceiling(wait.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture)}"
            : "sessions";
        using var response = await SendAsync(HttpMethod.Post, path, null, null, cancellationToken);
        return await ReadAsync<SessionLease>(response, cancellationToken);
    }

    public async Task<CompletionResult> CompleteAsync(string leaseId, CompletionRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"sessions/{Uri.EscapeDataString(leaseId)}/completions",
            JsonContent.Create(request), leaseId, cancellationToken);
        return await ReadAsync<CompletionResult>(response, cancellationToken);
    }

    public async Task ReleaseAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, $"sessions/{Uri.EscapeDataString(leaseId)}", null, leaseId,
            cancellationToken, notFoundIsOk: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? leaseId,
        CancellationToken cancellationToken, bool notFoundIsOk = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add(PoolHeaders.Caller, callerId);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PoolUnavailableException($"The inference pool at {http.BaseAddress} could not be reached: {e.Message}", e);
        }
        if (response.IsSuccessStatusCode || (notFoundIsOk && response.StatusCode == HttpStatusCode.NotFound))
            return response;
        using (response)
            throw await ToExceptionAsync(response, leaseId, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(cancellationToken)
        ?? throw new PoolUnavailableException($"The inference pool returned an empty {typeof(T).Name}.");

    private static async Task<Exception> ToExceptionAsync(HttpResponseMessage response, string? leaseId, CancellationToken cancellationToken)
    {
        var (detail, field) = await ReadProblemAsync(response, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new PoolBusyException(RetryAfter(response), detail ?? "The inference pool is busy."),
            HttpStatusCode.NotFound => new LeaseNotFoundException(leaseId ?? "?"),
            HttpStatusCode.Forbidden => new LeaseOwnershipException(leaseId ?? "?"),
            HttpStatusCode.Conflict => new LeaseBusyException(leaseId ?? "?"),
            HttpStatusCode.BadRequest => new PoolRequestException(field ?? "request", detail ?? "The request was rejected."),
            _ => new PoolUnavailableException($"The inference pool answered {(int)response.StatusCode}: {detail ?? response.ReasonPhrase}"),
        };
    }

    private static TimeSpan RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta
        ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1));

    private static async Task<(string? Detail, string? Field)> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(body)) return (null, null);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            return (Text(root, "detail") ?? Text(root, "title"), Text(root, "field"));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
    }
}
