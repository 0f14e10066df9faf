using System.Security.Claims;
using Autopilot.Api.Identity;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Options;

namespace Autopilot.Api.Guardrail;

/// <summary>Why a person's answer was not taken, as the API writes it (problem details) and the console shows it.</summary>
public sealed record DeskRefusal(int Status, string Title, string Detail, string? Field = null);

/// <summary>What came of a person's answer: the guardrail's decision, or why it was refused.</summary>
public sealed record DeskOutcome(GuardrailDecision? Decision, DeskRefusal? Refusal)
{
    public static DeskOutcome Refused(int status, string title, string detail, string? field = null) => new(null, new(status, title, detail, field));
}

/// <summary>
/// What a signed-in person may do to a route's changes, written once for POST /guardrail/…/approvals and the operator
/// console: answer a change that policy sent for approval, or undo an applied change. Both go through the guardrail
/// (<see cref="IGuardrailGateway"/>), never to the bridge; the person is the token's subject, and the route's policy
/// must name them among its approvers.
/// </summary>
public sealed class ChangeDesk(IGuardrailGateway guardrail, PolicySet policies, IOptions<IdentityOptions> identity)
{
    public const int MaxReasonLength = 1000;

    public async Task<DeskOutcome> AnswerAsync(RouteRef route, string changeId, bool approved, string? reason, ClaimsPrincipal user, CancellationToken ct)
    {
        if (reason is { Length: > MaxReasonLength }) return DeskOutcome.Refused(400, "Invalid approval", $"reason: at most {MaxReasonLength} characters", "reason");
        if (Refusal(route, user, out var subject) is { } refusal) return new(null, refusal);
        var decision = await guardrail.AnswerApprovalAsync(route, new ApprovalAnswer(changeId, approved, subject, reason), ct);
        return decision is null ? DeskOutcome.Refused(404, "No such change", $"Route {route} has no change '{changeId}'.") : new(decision, null);
    }

    /// <summary>Puts back the weights from before the incident's applied change. Only once the loop is done with the
    /// incident (<see cref="UndoBlocker"/>), so a person and the loop never undo the same change at once; a repeated undo
    /// answers the decision already taken.</summary>
    public async Task<DeskOutcome> UndoAsync(IncidentRecord incident, ClaimsPrincipal user, CancellationToken ct)
    {
        if (UndoBlocker(incident) is { } blocker) return DeskOutcome.Refused(409, "Cannot undo", blocker);
        var change = incident.Decision!.Change!;
        if (Refusal(change.Route, user, out var subject) is { } refusal) return new(null, refusal);
        var undo = new UndoSubmission(incident.IncidentId, change.ChangeId, UndoChangeId(change.ChangeId), change.Route, $"undone by {subject}");
        return new(await guardrail.UndoAsync(undo, ct), null);
    }

    /// <summary>The id of a person's undo of a change: one per change, so a second click is the same undo.</summary>
    public static string UndoChangeId(string changeId) => $"{changeId}-undo-by-person";

    /// <summary>Null when a person may undo the incident's change, else why not.</summary>
    public static string? UndoBlocker(IncidentRecord incident)
    {
        if (incident.Decision is not { Status: DecisionStatus.Applied, Change: not null, Result.Outcome: ChangeOutcome.Applied })
            return "the incident applied no change to the route";
        if (incident.Undo is { Status: DecisionStatus.Undone }) return "the autopilot already undid this change";
        if (incident.IsOpen) return $"the autopilot is still working on this incident ({incident.Phase}); undo once it is closed";
        return null;
    }

    /// <summary>Why this person may not act on the route's changes, or null; <paramref name="subject"/> is who they are.</summary>
    private DeskRefusal? Refusal(RouteRef route, ClaimsPrincipal user, out string subject)
    {
        subject = "";
        if (user.Identity?.IsAuthenticated != true)
            return new(401, "Not signed in", "Sign in with your identity provider's token to answer for a change.");
        (subject, var groups) = user.Person(identity.Value);
        return Approvers.Refusal(policies.Resolve(route), subject, groups, identity.Value.ProposerSubject) is { } refusal
            ? new(403, "Not an approver", refusal)
            : null;
    }
}
