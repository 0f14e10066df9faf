using Autopilot.Incidents.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.DeadLetters;

/// <summary>GET /dead-letters?limit=N: alert messages that were never handled, newest first, with why, how many
/// deliveries were tried and when, and how many older letters were let go because the store was full.</summary>
public static class DeadLetterEndpoints
{
    public static IEndpointRouteBuilder MapDeadLetterEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dead-letters", async (IDeadLetterStore store, int? limit, CancellationToken ct) =>
        {
            return ListLimit.Problem(limit) ?? Results.Ok(await store.ListAsync(limit ?? ListLimit.Default, ct));
        });
        return endpoints;
    }
}
