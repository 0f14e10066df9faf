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
            return ListLimit.Problem(limit) ?? Results.Ok(await store.ListAsync(limit ?? ListLimit.Default, ct));
        });
        return endpoints;
    }
}
