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
            if (limit is <= 0 or > 1000)
                return Results.Problem(statusCode: 400, title: "Invalid query", detail: "limit must be between 1 and 1000.",
                    extensions: new Dictionary<string, object?> { ["field"] = "limit" });
            return Results.Ok(await store.ListAsync(limit ?? 100, ct));
        });
        return endpoints;
    }
}
