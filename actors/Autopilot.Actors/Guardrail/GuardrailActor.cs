using Autopilot.Actors.DaprAdapters;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.Guardrail;

/// <summary>
/// Hosts one route's <see cref="GuardrailProcess"/> on Dapr. Turn-based concurrency serialises every change to
/// the route. With GuardrailProcess, the only type that may depend on the gateway-bridge client.
/// </summary>
public sealed class GuardrailActor : ReminderHostActor, IGuardrailActor, IRemindable
{
    public const string StateKey = "guardrail";

    private readonly GuardrailProcess _process;

    public GuardrailActor(ActorHost host, IGatewayBridgeClient bridge, GuardrailServices services, IActorStateManager? stateManager = null) : base(host)
    {
        if (stateManager is not null) StateManager = stateManager;
        _process = new GuardrailProcess(
            ActorIds.RouteOf(Id),
            new ActorKeyedState<GuardrailState>(StateManager, StateKey, IncidentStateJson.Options),
            new ActorReminders(this),
            bridge,
            services);
    }

    public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission) => _process.SubmitAsync(submission, CancellationToken.None);

    public Task<GuardrailDecision> UndoAsync(UndoSubmission submission) => _process.UndoAsync(submission, CancellationToken.None);

    public Task<RouteState> ReadRouteAsync() => _process.ReadRouteAsync(CancellationToken.None);

    public Task<GuardrailDecision?> GetDecisionAsync(string changeId) => _process.GetDecisionAsync(changeId, CancellationToken.None);

    public Task<GuardrailDecision?> AnswerApprovalAsync(ApprovalAnswer answer) => _process.AnswerApprovalAsync(answer, CancellationToken.None);

    public Task<GuardrailState> GetStateAsync() => _process.ReadStateAsync(CancellationToken.None);

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        _process.ReceiveReminderAsync(reminderName, CancellationToken.None);
}
