using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Dapr.Actors;

namespace Autopilot.Actors.DaprAdapters;

/// <summary>
/// Actor ids are the workload key ("shop/checkout") and the route ("shop/checkout"), URL-escaped
/// ("shop%2Fcheckout") because the id travels as one path segment of /actors/{type}/{id}/method/{name}.
/// </summary>
public static class ActorIds
{
    public static ActorId Incident(WorkloadKey workload) => new(Uri.EscapeDataString(workload.ToString()));

    public static ActorId Guardrail(RouteRef route) => new(Uri.EscapeDataString(route.ToString()));

    public static WorkloadKey WorkloadOf(ActorId id) => WorkloadKey.Parse(Uri.UnescapeDataString(id.GetId()));

    public static RouteRef RouteOf(ActorId id) => RouteRef.Parse(Uri.UnescapeDataString(id.GetId()));
}
