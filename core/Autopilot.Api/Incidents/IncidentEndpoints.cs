using Autopilot.Api.Identity;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Autopilot.Api.Incidents;

/// <summary>Body of POST /incidents/{id}/acknowledge and /incidents/{id}/close: why. Who answers is the bearer
/// token's subject; a "by" in the body is refused.</summary>
public sealed record OperatorRequest(string? Note, string? By = null);

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
            return ListLimit.Problem(limit) ?? Results.Ok(await journal.ListAsync(new IncidentQuery(workload, open ?? false, limit ?? ListLimit.Default), ct));
        });
        incidents.MapGet("/{id}", async (string id, IIncidentJournal journal, CancellationToken ct) =>
            await journal.GetAsync(id, ct) is { } record ? Results.Ok(record) : NotFound(id));
        incidents.MapPost("/{id}/acknowledge", (string id, OperatorRequest? body, HttpContext http, IOptions<IdentityOptions> identity,
                IIncidentJournal journal, IIncidentDispatcher dispatcher, CancellationToken ct) =>
            AnswerAsync(id, OperatorVerb.Acknowledge, body, http.User.Person(identity.Value).Subject, journal, dispatcher, ct))
            .RequireAuthorization(IdentityServiceCollectionExtensions.ApproverPolicy);
        incidents.MapPost("/{id}/close", (string id, OperatorRequest? body, HttpContext http, IOptions<IdentityOptions> identity,
                IIncidentJournal journal, IIncidentDispatcher dispatcher, CancellationToken ct) =>
            AnswerAsync(id, OperatorVerb.Close, body, http.User.Person(identity.Value).Subject, journal, dispatcher, ct))
            .RequireAuthorization(IdentityServiceCollectionExtensions.ApproverPolicy);
        return endpoints;
    }

    private static async Task<IResult> AnswerAsync(string id, OperatorVerb verb, OperatorRequest? body, string subject, IIncidentJournal journal,
        IIncidentDispatcher dispatcher, CancellationToken ct)
    {
        if (body?.By is not null)
            return Results.Problem(statusCode: 400, title: "Invalid answer", detail: "by: who answers is the subject of your bearer token; remove \"by\"",
                extensions: new Dictionary<string, object?> { ["field"] = "by" });
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > 256)
            return Results.Problem(statusCode: 403, title: "Not allowed", detail: "the token names no usable subject, so the answer could not be recorded against a person");
        if (body?.Note is { Length: > 1000 })
            return Results.Problem(statusCode: 400, title: "Invalid answer", detail: "note: at most 1000 characters",
                extensions: new Dictionary<string, object?> { ["field"] = "note" });
        if (await journal.GetAsync(id, ct) is not { } record || !WorkloadKey.TryParse(record.Workload, out var workload)) return NotFound(id);
        var refused = await dispatcher.AnswerAsync(workload.Value, new OperatorAnswered(id, verb, subject, body?.Note?.Trim()), ct);
        if (refused is not null) return Results.Problem(statusCode: 409, title: $"Cannot {verb.ToString().ToLowerInvariant()} incident", detail: refused);
        return await journal.GetAsync(id, ct) is { } updated ? Results.Ok(updated) : NotFound(id);
    }

    private static IResult NotFound(string id) => Results.Problem(statusCode: 404, title: "No such incident", detail: $"No incident with id '{id}'.");
}
