using Autopilot.Actors.DaprAdapters;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Actors.Incidents;

/// <summary><see cref="IIncidentDispatcher"/> over actor proxies to IncidentActor (id = workload key).</summary>
public sealed class ActorIncidentDispatcher(ActorProxies proxies) : IIncidentDispatcher
{
    public Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct) =>
        proxies.Create(ActorIds.Incident(workload), ActorProxies.IncidentActorType)
            .InvokeMethodAsync(nameof(IIncidentActor.HandleAlertsAsync), new AlertDelivery(alerts), ct);

    public Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct) =>
        proxies.Create(ActorIds.Incident(workload), ActorProxies.IncidentActorType)
            .InvokeMethodAsync(nameof(IIncidentActor.CompleteRestoreAsync), outcome, ct);

    public async Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct) =>
        (await proxies.Create(ActorIds.Incident(workload), ActorProxies.IncidentActorType)
            .InvokeMethodAsync<OperatorAnswered, OperatorReply>(nameof(IIncidentActor.AnswerAsync), answer, ct)).Refused;

    public Task RecordNotificationAsync(WorkloadKey workload, NotificationDelivery delivery, CancellationToken ct) =>
        proxies.Create(ActorIds.Incident(workload), ActorProxies.IncidentActorType)
            .InvokeMethodAsync(nameof(IIncidentActor.RecordNotificationAsync), delivery, ct);
}
