using Autopilot.Actors.DaprAdapters;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.Incidents;

/// <summary>
/// Hosts one workload's <see cref="IncidentProcess"/> on Dapr: actor state for the process state, actor
/// reminders for its reminders. Turn-based concurrency gives the process one call at a time.
/// </summary>
public sealed class IncidentActor : ReminderHostActor, IIncidentActor, IRemindable
{
    public const string StateKey = "incident";

    private readonly IncidentProcess _process;

    public IncidentActor(ActorHost host, IncidentServices services, IActorStateManager? stateManager = null) : base(host)
    {
        if (stateManager is not null) StateManager = stateManager;
        _process = new IncidentProcess(
            ActorIds.WorkloadOf(Id),
            new ActorKeyedState<IncidentProcessState>(StateManager, StateKey, IncidentStateJson.Options),
            new ActorReminders(this),
            services);
    }

    public Task HandleAlertsAsync(AlertDelivery delivery) => _process.HandleAlertsAsync(delivery.Alerts, CancellationToken.None);

    public Task CompleteRestoreAsync(RestoreOutcome outcome) => _process.CompleteRestoreAsync(outcome, CancellationToken.None);

    public async Task<OperatorReply> AnswerAsync(OperatorAnswered answer) =>
        new(await _process.AnswerAsync(answer, CancellationToken.None));

    public Task RecordNotificationAsync(NotificationDelivery delivery) => _process.RecordNotificationAsync(delivery, CancellationToken.None);

    public Task<IncidentProcessState> GetStateAsync() => _process.ReadAsync(CancellationToken.None);

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period) =>
        _process.ReceiveReminderAsync(reminderName, CancellationToken.None);
}
