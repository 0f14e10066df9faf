using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.Guardrail;

/// <summary>Body of POST /guardrail/{namespace}/{route}/approvals/{changeId}.</summary>
public sealed record ApprovalRequest(bool? Approved, string? Approver, string? Reason);

/// <summary>A human approves or rejects a change that policy sent for approval.</summary>
public static class ApprovalEndpoints
{
    public static IEndpointRouteBuilder MapApprovalEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/guardrail/{ns}/{route}/approvals/{changeId}", async (
            string ns, string route, string changeId, ApprovalRequest? body, IGuardrailGateway guardrail, CancellationToken ct) =>
        {
            if (body?.Approved is not { } approved) return Invalid("approved", "give \"approved\": true or false");
            if (string.IsNullOrWhiteSpace(body.Approver)) return Invalid("approver", "name who answers (\"approver\")");
            var decision = await guardrail.AnswerApprovalAsync(new RouteRef(ns, route), new ApprovalAnswer(changeId, approved, body.Approver, body.Reason), ct);
            return decision is null
                ? Results.Problem(statusCode: 404, title: "No such change", detail: $"Route {ns}/{route} has no change '{changeId}'.")
                : Results.Ok(decision);
        });
        return endpoints;
    }

    private static IResult Invalid(string field, string message) =>
        Results.Problem(statusCode: 400, title: "Invalid approval", detail: $"{field}: {message}", extensions: new Dictionary<string, object?> { ["field"] = field });
}
