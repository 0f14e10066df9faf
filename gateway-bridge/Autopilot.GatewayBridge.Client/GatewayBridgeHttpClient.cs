using System.Net.Http.Json;
using System.Text.Json;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Client;

/// <summary>
/// <see cref="IGatewayBridgeClient"/> over HTTP. Through Dapr service invocation the HttpClient's base address is
/// the sidecar (http://127.0.0.1:3500) and every request carries the <c>dapr-app-id</c> header; direct, the base
/// address is the bridge itself. Refusals come back as problem details and are thrown as <see cref="GatewayBridgeException"/>.
/// </summary>
public sealed class GatewayBridgeHttpClient(HttpClient http, string? daprAppId = null) : IGatewayBridgeClient
{
    public const string DaprAppIdHeader = "dapr-app-id";

    public Task<RouteState> GetRouteAsync(RouteRef route, CancellationToken cancellationToken = default) =>
        SendAsync<RouteState>(HttpMethod.Get, $"routes/{Uri.EscapeDataString(route.Namespace)}/{Uri.EscapeDataString(route.Name)}", null, cancellationToken);

    public Task<ChangeResult> ApplyAsync(RouteChange change, string approvalToken, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, "changes", new ApplyChangeRequest(change, approvalToken), cancellationToken);

    public Task<ChangeResult> UndoAsync(UndoRequest request, string approvalToken, CancellationToken cancellationToken = default) =>
        SendAsync<ChangeResult>(HttpMethod.Post, $"changes/{Uri.EscapeDataString(request.ChangeId)}/undo",
            new UndoChangeRequest(request.UndoChangeId, request.IncidentId, request.Reason, request.Route, approvalToken), cancellationToken);

    public Task<IReadOnlyList<ChangeRecord>> ListChangesAsync(RouteRef? route = null, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ChangeRecord>>(HttpMethod.Get,
            route is null ? "changes" : $"changes?route={Uri.EscapeDataString(route.ToString())}", null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (daprAppId is not null) request.Headers.Add(DaprAppIdHeader, daprAppId);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: GatewayBridgeJson.Options);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(GatewayBridgeJson.Options, ct)
            ?? throw new GatewayBridgeException((int)response.StatusCode, "Empty response", $"{method} {path} answered without a body.");
    }

    private static async Task<GatewayBridgeException> ToExceptionAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        string title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = text.Length == 0 ? null : text;
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) title = t.GetString()!;
            detail = problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        }
        catch (JsonException)
        {
            // Not problem details (e.g. a proxy's error page): keep the raw text as the detail.
        }
        return new GatewayBridgeException((int)response.StatusCode, title, detail);
    }
}
