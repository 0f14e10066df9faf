using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Standalone.InProcessRuntime;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Standalone.Adapters;

/// <summary>
/// IncidentActor without Dapr: each workload's <see cref="IncidentProcess"/> runs in its own mailbox of the keyed
/// executor (one turn at a time), with its state in a file and its reminders durable on disk. The process object
/// is made per turn, like an actor activation; everything it knows lives in its state.
/// </summary>
public sealed class InProcessIncidentDispatcher(
    KeyedExecutor executor,
    StateDirectory directory,
    DurableReminders reminders,
    IServiceProvider services) : IIncidentDispatcher
{
    // Resolved on first use: IncidentServices depends (through the restore) on this dispatcher.
    private IncidentServices Services => services.GetRequiredService<IncidentServices>();

    public Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct) =>
        RunAsync(workload, p => p.HandleAlertsAsync(alerts, ct));

    public Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct) =>
        RunAsync(workload, p => p.CompleteRestoreAsync(outcome, ct));

    public Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct) =>
        executor.RunAsync(ProcessKeys.Mailbox(ProcessKeys.Incident, workload.ToString()), () => Process(workload).AnswerAsync(answer, ct));

    public Task RecordNotificationAsync(WorkloadKey workload, NotificationDelivery delivery, CancellationToken ct) =>
        RunAsync(workload, p => p.RecordNotificationAsync(delivery, ct));

    public Task ReceiveReminderAsync(WorkloadKey workload, string name, CancellationToken ct) =>
        RunAsync(workload, p => p.ReceiveReminderAsync(name, ct));

    public Task<IncidentProcessState> ReadAsync(WorkloadKey workload, CancellationToken ct) =>
        executor.RunAsync(ProcessKeys.Mailbox(ProcessKeys.Incident, workload.ToString()), () => Process(workload).ReadAsync(ct));

    private Task RunAsync(WorkloadKey workload, Func<IncidentProcess, Task> turn) =>
        executor.RunAsync(ProcessKeys.Mailbox(ProcessKeys.Incident, workload.ToString()), () => turn(Process(workload)));

    private IncidentProcess Process(WorkloadKey workload) => new(
        workload,
        new FileKeyedState<IncidentProcessState>(directory, ProcessKeys.Incident, workload.ToString()),
        reminders.For(ProcessKeys.Incident, workload.ToString()),
        Services);
}
