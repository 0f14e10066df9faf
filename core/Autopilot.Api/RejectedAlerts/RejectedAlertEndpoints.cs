using Autopilot.Incidents.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.RejectedAlerts;

/// <summary>GET /alerts/rejected?limit=N: alerts POST /alertmanager refused because they name no valid workload,
/// newest first, with the field at fault and why, and how many older ones were let go because the list was full.</summary>
public static class RejectedAlertEndpoints
{
    public static IEndpointRouteBuilder MapRejectedAlertEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/alerts/rejected", async (IRejectedAlertStore store, int? limit, CancellationToken ct) =>
        {
            if (limit is <= 0 or > 1000)
                return Results.Problem(statusCode: 400, title: "Invalid query", detail: "limit must be between 1 and 1000.",
                    extensions: new Dictionary<string, object?> { ["field"] = "limit" });
            return Results.Ok(await store.ListAsync(limit ?? 100, ct));
        });
        return endpoints;
    }
}
