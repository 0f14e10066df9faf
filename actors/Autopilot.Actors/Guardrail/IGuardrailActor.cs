using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Dapr.Actors;

namespace Autopilot.Actors.Guardrail;

/// <summary>The GuardrailActor (id = URL-escaped route "namespace/name"); one JSON argument per method.</summary>
public interface IGuardrailActor : IActor
{
    Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission);

    Task<GuardrailDecision> UndoAsync(UndoSubmission submission);

    Task<RouteState> ReadRouteAsync();

    Task<GuardrailDecision?> GetDecisionAsync(string changeId);

    /// <summary>A human's answer to a change waiting for approval; null when the change is unknown.</summary>
    Task<GuardrailDecision?> AnswerApprovalAsync(ApprovalAnswer answer);

    Task<GuardrailState> GetStateAsync();
}
