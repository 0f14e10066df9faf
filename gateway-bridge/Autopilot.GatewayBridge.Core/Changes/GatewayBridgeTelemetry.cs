using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Autopilot.GatewayBridge.Core.Changes;

/// <summary>One span per change or undo; counters of what the bridge did and refused (tag "reason").</summary>
public static class GatewayBridgeTelemetry
{
    public const string Name = "Autopilot.GatewayBridge";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> ChangesApplied =
        Meter.CreateCounter<long>("autopilot.gateway_bridge.changes.applied", description: "Route changes applied (dry runs excluded).");
    public static readonly Counter<long> ChangesUndone =
        Meter.CreateCounter<long>("autopilot.gateway_bridge.changes.undone", description: "Route changes undone.");
    public static readonly Counter<long> ChangesRefused =
        Meter.CreateCounter<long>("autopilot.gateway_bridge.changes.refused", description: "Changes refused, by reason.");
    public static readonly Counter<long> Conflicts =
        Meter.CreateCounter<long>("autopilot.gateway_bridge.conflicts", description: "409 Conflicts from the Kubernetes API that led to a re-read.");
}
