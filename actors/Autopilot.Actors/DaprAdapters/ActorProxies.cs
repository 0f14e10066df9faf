using Autopilot.Remediation.Incidents;
using Dapr.Actors;
using Dapr.Actors.Client;

namespace Autopilot.Actors.DaprAdapters;

/// <summary>Non-remoting actor proxies that speak the same JSON as the actor runtime (IncidentStateJson.Options).</summary>
public sealed class ActorProxies(IActorProxyFactory factory)
{
    public const string IncidentActorType = "IncidentActor";
    public const string GuardrailActorType = "GuardrailActor";

    private static readonly ActorProxyOptions Options = new() { JsonSerializerOptions = IncidentStateJson.Options };

    public ActorProxy Create(ActorId id, string actorType) => factory.Create(id, actorType, Options);
}
