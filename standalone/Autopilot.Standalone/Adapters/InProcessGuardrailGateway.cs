using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Autopilot.Standalone.InProcessRuntime;

namespace Autopilot.Standalone.Adapters;

/// <summary>
/// GuardrailActor without Dapr: one <see cref="GuardrailProcess"/> per route in its own mailbox, so changes to a
/// route are serialised exactly as actor turns serialise them. The gateway-bridge is the in-process bridge service
/// (a direct call instead of service invocation); only the guardrail process receives it.
/// </summary>
public sealed class InProcessGuardrailGateway(
    KeyedExecutor executor,
    StateDirectory directory,
    DurableReminders reminders,
    IGatewayBridgeClient bridge,
    GuardrailServices services) : IGuardrailGateway
{
    public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct) =>
        RunAsync(submission.Route, p => p.SubmitAsync(submission, ct));

    public Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) =>
        RunAsync(submission.Route, p => p.UndoAsync(submission, ct));

    public Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct) => RunAsync(route, p => p.ReadRouteAsync(ct));

    public Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) =>
        RunAsync(route, p => p.GetDecisionAsync(changeId, ct));

    public Task<GuardrailDecision?> AnswerApprovalAsync(RouteRef route, ApprovalAnswer answer, CancellationToken ct) =>
        RunAsync(route, p => p.AnswerApprovalAsync(answer, ct));

    public Task<GuardrailState> ReadStateAsync(RouteRef route, CancellationToken ct) => RunAsync(route, p => p.ReadStateAsync(ct));

    public Task ReceiveReminderAsync(RouteRef route, string name, CancellationToken ct) =>
        RunAsync(route, async p =>
        {
            await p.ReceiveReminderAsync(name, ct);
            return true;
        });

    private Task<T> RunAsync<T>(RouteRef route, Func<GuardrailProcess, Task<T>> turn) =>
        executor.RunAsync(ProcessKeys.Mailbox(ProcessKeys.Guardrail, route.ToString()), () => turn(new GuardrailProcess(
            route,
            new FileKeyedState<GuardrailState>(directory, ProcessKeys.Guardrail, route.ToString()),
            reminders.For(ProcessKeys.Guardrail, route.ToString()),
            bridge,
            services)));
}
