using Autopilot.Api.Identity;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

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
            string ns, string route, string changeId, ApprovalRequest? body, HttpContext http, ChangeDesk desk, CancellationToken ct) =>
        {
            if (body?.Approved is not { } approved) return Invalid("approved", "give \"approved\": true or false");
            if (body.Approver is not null) return Invalid("approver", "who answers is the subject of your bearer token; remove \"approver\"");
            var outcome = await desk.AnswerAsync(new RouteRef(ns, route), changeId, approved, body.Reason, http.User, ct);
            return outcome.Refusal is { } refusal ? Problem(refusal) : Results.Ok(outcome.Decision);
        }).RequireAuthorization(IdentityServiceCollectionExtensions.ApproverPolicy);
        return endpoints;
    }

    private static IResult Invalid(string field, string message) => Problem(new DeskRefusal(400, "Invalid approval", $"{field}: {message}", field));

    private static IResult Problem(DeskRefusal refusal) => Results.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail,
        extensions: refusal.Field is null ? null : new Dictionary<string, object?> { ["field"] = refusal.Field });
}
