using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Dapr.Actors;

namespace Autopilot.Actors.Incidents;

/// <summary>The IncidentActor (id = URL-escaped workload key). Invoked without remoting: each method takes one
/// JSON argument, so the sidecar contract is PUT /actors/IncidentActor/{id}/method/{name} with a JSON body.</summary>
public interface IIncidentActor : IActor
{
    Task HandleAlertsAsync(AlertDelivery delivery);

    Task CompleteRestoreAsync(RestoreOutcome outcome);

    Task<IncidentProcessState> GetStateAsync();
}

/// <summary>The alerts of one workload, as the subscription fans them out.</summary>
public sealed record AlertDelivery(IReadOnlyList<Alert> Alerts);
