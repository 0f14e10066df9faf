using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.Incidents;

/// <summary>Body of POST /incidents/{id}/acknowledge and /incidents/{id}/close: who answers, and why.</summary>
public sealed record OperatorRequest(string? By, string? Note);

/// <summary>GET /incidents (summaries, newest first; ?workload=ns/name&amp;open=true&amp;limit=N),
/// GET /incidents/{id} (the full audit trail), and a person's answers to an incident: acknowledge it, or close one
/// the loop handed to humans (it then stops absorbing the workload's alerts).</summary>
public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var incidents = endpoints.MapGroup("/incidents");
        incidents.MapGet("", async (IIncidentJournal journal, string? workload, bool? open, int? limit, CancellationToken ct) =>
        {
            if (limit is <= 0 or > 1000)
                return Results.Problem(statusCode: 400, title: "Invalid query", detail: "limit must be between 1 and 1000.",
                    extensions: new Dictionary<string, object?> { ["field"] = "limit" });
            return Results.Ok(await journal.ListAsync(new IncidentQuery(workload, open ?? false, limit ?? 100), ct));
        });
        incidents.MapGet("/{id}", async (string id, IIncidentJournal journal, CancellationToken ct) =>
            await journal.GetAsync(id, ct) is { } record ? Results.Ok(record) : NotFound(id));
        incidents.MapPost("/{id}/acknowledge", (string id, OperatorRequest? body, IIncidentJournal journal, IIncidentDispatcher dispatcher, CancellationToken ct) =>
            AnswerAsync(id, OperatorVerb.Acknowledge, body, journal, dispatcher, ct));
        incidents.MapPost("/{id}/close", (string id, OperatorRequest? body, IIncidentJournal journal, IIncidentDispatcher dispatcher, CancellationToken ct) =>
            AnswerAsync(id, OperatorVerb.Close, body, journal, dispatcher, ct));
        return endpoints;
    }

    private static async Task<IResult> AnswerAsync(string id, OperatorVerb verb, OperatorRequest? body, IIncidentJournal journal,
        IIncidentDispatcher dispatcher, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.By) || body.By.Length > 128)
            return Results.Problem(statusCode: 400, title: "Invalid answer", detail: "by: name who answers (1 to 128 characters)",
                extensions: new Dictionary<string, object?> { ["field"] = "by" });
        if (body.Note is { Length: > 1000 })
            return Results.Problem(statusCode: 400, title: "Invalid answer", detail: "note: at most 1000 characters",
                extensions: new Dictionary<string, object?> { ["field"] = "note" });
        if (await journal.GetAsync(id, ct) is not { } record || !WorkloadKey.TryParse(record.Workload, out var workload)) return NotFound(id);
        var refused = await dispatcher.AnswerAsync(workload.Value, new OperatorAnswered(id, verb, body.By.Trim(), body.Note?.Trim()), ct);
        if (refused is not null) return Results.Problem(statusCode: 409, title: $"Cannot {verb.ToString().ToLowerInvariant()} incident", detail: refused);
        return await journal.GetAsync(id, ct) is { } updated ? Results.Ok(updated) : NotFound(id);
    }

    private static IResult NotFound(string id) => Results.Problem(statusCode: 404, title: "No such incident", detail: $"No incident with id '{id}'.");
}
