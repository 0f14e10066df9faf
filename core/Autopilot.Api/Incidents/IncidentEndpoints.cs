using Autopilot.Incidents.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.Incidents;

/// <summary>GET /incidents (summaries, newest first; ?workload=ns/name&amp;open=true&amp;limit=N) and
/// GET /incidents/{id} (the full audit trail).</summary>
public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/incidents", async (IIncidentJournal journal, string? workload, bool? open, int? limit, CancellationToken ct) =>
        {
            if (limit is <= 0 or > 1000)
                return Results.Problem(statusCode: 400, title: "Invalid query", detail: "limit must be between 1 and 1000.",
                    extensions: new Dictionary<string, object?> { ["field"] = "limit" });
            return Results.Ok(await journal.ListAsync(new IncidentQuery(workload, open ?? false, limit ?? 100), ct));
        });
        endpoints.MapGet("/incidents/{id}", async (string id, IIncidentJournal journal, CancellationToken ct) =>
            await journal.GetAsync(id, ct) is { } record
                ? Results.Ok(record)
                : Results.Problem(statusCode: 404, title: "No such incident", detail: $"No incident with id '{id}'."));
        return endpoints;
    }
}
