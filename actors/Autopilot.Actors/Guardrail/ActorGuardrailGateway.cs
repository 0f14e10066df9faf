using Autopilot.Actors.DaprAdapters;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Dapr.Actors.Client;

namespace Autopilot.Actors.Guardrail;

/// <summary><see cref="IGuardrailGateway"/> over actor proxies to GuardrailActor (id = route).</summary>
public sealed class ActorGuardrailGateway(ActorProxies proxies) : IGuardrailGateway
{
    public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct) =>
        Proxy(submission.Route).InvokeMethodAsync<ProposalSubmission, GuardrailDecision>(nameof(IGuardrailActor.SubmitAsync), submission, ct);

    public Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) =>
        Proxy(submission.Route).InvokeMethodAsync<UndoSubmission, GuardrailDecision>(nameof(IGuardrailActor.UndoAsync), submission, ct);

    public Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct) =>
        Proxy(route).InvokeMethodAsync<RouteState>(nameof(IGuardrailActor.ReadRouteAsync), ct);

    public Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) =>
        Proxy(route).InvokeMethodAsync<string, GuardrailDecision?>(nameof(IGuardrailActor.GetDecisionAsync), changeId, ct);

    public Task<GuardrailDecision?> AnswerApprovalAsync(RouteRef route, ApprovalAnswer answer, CancellationToken ct) =>
        Proxy(route).InvokeMethodAsync<ApprovalAnswer, GuardrailDecision?>(nameof(IGuardrailActor.AnswerApprovalAsync), answer, ct);

    private ActorProxy Proxy(RouteRef route) => proxies.Create(ActorIds.Guardrail(route), ActorProxies.GuardrailActorType);
}
