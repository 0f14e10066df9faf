using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// How the incident side reaches the guardrail of a route (Dapr: ActorProxy to GuardrailActor, id = route
/// "namespace/name"; stand-alone: the keyed executor running GuardrailProcess). The incident side never
/// touches the gateway-bridge client itself. The reads are <see cref="IGuardrailReader"/>, all that read-only callers
/// (the MCP tools) are given.
/// </summary>
public interface IGuardrailGateway : IGuardrailReader
{
    /// <summary>Evaluates and, if allowed, applies. Idempotent per ChangeId: a resubmission returns the
    /// decision already taken and never applies twice.</summary>
    Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct);

    /// <summary>Undoes an applied change (restores the weights from before it). Idempotent per UndoChangeId.</summary>
    Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct);

    /// <summary>A human's answer to a change waiting for approval; null when the route has no such change.</summary>
    Task<GuardrailDecision?> AnswerApprovalAsync(RouteRef route, ApprovalAnswer answer, CancellationToken ct);
}
