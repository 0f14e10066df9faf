using System.Text.Json;
using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.Hosting.Sidecar;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge;

/// <summary>
/// The bridge's HTTP API (the Dapr service-invocation target). Every refusal is a <see cref="GatewayBridgeException"/>
/// that <see cref="GatewayBridgeExceptionHandler"/> turns into problem details with the status the bridge chose: 400 bad
/// input (naming the field), 401/403 approval, 404, 409, 412 route moved, 422 invalid, 502/503 cluster.
/// </summary>
public static class GatewayBridgeApi
{
    public static IEndpointRouteBuilder MapGatewayBridgeApi(this IEndpointRouteBuilder app)
    {
        // Resolving the service now turns a bad key or Kubernetes configuration into a start-up failure, not a first-request one.
        app.ServiceProvider.GetRequiredService<GatewayBridgeService>();
        // Only the bridge's own sidecar calls it (service invocation from the guardrail): it must bring the app API token.
        var endpoints = app.MapGroup("").RequireSidecar();

        endpoints.MapGet("/routes/{ns}/{name}", async (string ns, string name, GatewayBridgeService bridge, CancellationToken ct) =>
            Ok(await bridge.GetRouteAsync(new RouteRef(ns, name), ct)));

        endpoints.MapGet("/routes", async (string? workload, GatewayBridgeService bridge, CancellationToken ct) =>
        {
            if (!WorkloadKey.TryParse(workload, out var key))
                throw new GatewayBridgeException(400, "Invalid query", $"workload '{workload}' must be a workload key namespace/workload, e.g. shop/checkout.");
            return Ok(await bridge.ListRoutesForWorkloadAsync(key.Value, ct));
        });

        endpoints.MapPost("/changes", async (HttpRequest request, GatewayBridgeService bridge, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync<ApplyChangeRequest>(request, ct);
            return Ok(await bridge.ApplyAsync(body.Change, body.ApprovalToken ?? "", ct));
        });

        endpoints.MapPost("/changes/{changeId}/undo", async (string changeId, HttpRequest request, GatewayBridgeService bridge, CancellationToken ct) =>
        {
            var body = await ReadBodyAsync<UndoChangeRequest>(request, ct);
            var undo = new UndoRequest(changeId, body.UndoChangeId, body.IncidentId, body.Reason, body.Route);
            return Ok(await bridge.UndoAsync(undo, body.ApprovalToken ?? "", ct));
        });

        endpoints.MapGet("/changes", async (string? route, GatewayBridgeService bridge, CancellationToken ct) =>
        {
            RouteRef? routeRef = null;
            if (!string.IsNullOrEmpty(route))
            {
                try { routeRef = RouteRef.Parse(route); }
                catch (FormatException e) { throw new GatewayBridgeException(400, "Invalid query", $"route: {e.Message}"); }
            }
            return Ok(await bridge.ListChangesAsync(routeRef, ct));
        });

        return app;
    }

    private static IResult Ok<T>(T value) => Results.Json(value, GatewayBridgeJson.Options);

    /// <summary>Reads the JSON body, answering 400 with the JSON path of the first bad member instead of a bare "bad request".</summary>
    private static async Task<T> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
            throw new GatewayBridgeException(400, "Invalid request", "The body must be JSON (Content-Type: application/json).");
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, GatewayBridgeJson.Options, ct)
                ?? throw new GatewayBridgeException(400, "Invalid request", "The body is empty; send a JSON object.");
        }
        catch (JsonException e)
        {
            throw new GatewayBridgeException(400, "Invalid request", $"{(e.Path is null or "$" ? "body" : e.Path)}: {e.Message}");
        }
    }
}
