using Autopilot.Incidents.Notifications;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// Delivers work to the incident process of one workload. Dapr: ActorProxy to IncidentActor (id = workload key);
/// stand-alone: the keyed executor. Calls for one workload are processed one at a time (turn-based).
/// </summary>
public interface IIncidentDispatcher
{
    Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct);

    /// <summary>The progressive restore started for the workload's incident finished (completed or compensated).</summary>
    Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct);

    /// <summary>A person acknowledges or closes the workload's incident; null when done, else why it was refused.</summary>
    Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct);

    /// <summary>A receiver's answer to a notification about one of the workload's incidents, to be recorded on it.</summary>
    Task RecordNotificationAsync(WorkloadKey workload, NotificationDelivery delivery, CancellationToken ct);
}
