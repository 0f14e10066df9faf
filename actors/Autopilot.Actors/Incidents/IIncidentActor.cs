using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Dapr.Actors;

namespace Autopilot.Actors.Incidents;

/// <summary>The IncidentActor (id = URL-escaped workload key). Invoked without remoting: each method takes one
/// JSON argument, so the sidecar contract is PUT /actors/IncidentActor/{id}/method/{name} with a JSON body.</summary>
public interface IIncidentActor : IActor
{
    Task HandleAlertsAsync(AlertDelivery delivery);

    Task CompleteRestoreAsync(RestoreOutcome outcome);

    Task<IncidentProcessState> GetStateAsync();

    /// <summary>A person acknowledges or closes the incident; answers why it was refused, if it was.</summary>
    Task<OperatorReply> AnswerAsync(OperatorAnswered answer);

    /// <summary>A receiver's answer to a notification about this workload's incident.</summary>
    Task RecordNotificationAsync(NotificationDelivery delivery);
}

/// <summary>What the actor says to an operator's answer: null Refused = done.</summary>
public sealed record OperatorReply(string? Refused);

/// <summary>The alerts of one workload, as the subscription fans them out.</summary>
public sealed record AlertDelivery(IReadOnlyList<Alert> Alerts);
