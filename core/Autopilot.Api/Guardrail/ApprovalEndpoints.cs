using Autopilot.Api.Identity;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Autopilot.Api.Guardrail;

/// <summary>Body of POST /guardrail/{namespace}/{route}/approvals/{changeId}. Who answers is the bearer token's subject;
/// an "approver" in the body is refused, so nobody can answer in someone else's name.</summary>
public sealed record ApprovalRequest(bool? Approved, string? Reason, string? Approver = null);

/// <summary>A signed-in person approves or rejects a change that policy sent for approval, if the route's policy
/// names them among its approvers; the autopilot's own identity never may.</summary>
public static class ApprovalEndpoints
{
    public static IEndpointRouteBuilder MapApprovalEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/guardrail/{ns}/{route}/approvals/{changeId}", async (
            string ns, string route, string changeId, ApprovalRequest? body, HttpContext http, IGuardrailGateway guardrail,
            PolicySet policies, IOptions<IdentityOptions> identity, CancellationToken ct) =>
        {
            if (body?.Approved is not { } approved) return Invalid("approved", "give \"approved\": true or false");
            if (body.Approver is not null) return Invalid("approver", "who answers is the subject of your bearer token; remove \"approver\"");
            if (body.Reason is { Length: > 1000 }) return Invalid("reason", "at most 1000 characters");
            var routeRef = new RouteRef(ns, route);
            var (subject, groups) = http.User.Person(identity.Value);
            if (Approvers.Refusal(policies.Resolve(routeRef), subject, groups, identity.Value.ProposerSubject) is { } refusal)
                return Results.Problem(statusCode: 403, title: "Not an approver", detail: refusal);
            var decision = await guardrail.AnswerApprovalAsync(routeRef, new ApprovalAnswer(changeId, approved, subject, body.Reason), ct);
            return decision is null
                ? Results.Problem(statusCode: 404, title: "No such change", detail: $"Route {ns}/{route} has no change '{changeId}'.")
                : Results.Ok(decision);
        }).RequireAuthorization(IdentityServiceCollectionExtensions.ApproverPolicy);
        return endpoints;
    }

    private static IResult Invalid(string field, string message) =>
        Results.Problem(statusCode: 400, title: "Invalid approval", detail: $"{field}: {message}", extensions: new Dictionary<string, object?> { ["field"] = field });
}
