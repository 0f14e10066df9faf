using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.GatewayBridge.Core.Kubernetes;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Autopilot.GatewayBridge;

/// <summary>
/// Ready while the Kubernetes API answers and our service account may list HTTPRoutes in the managed namespaces.
/// Without configured namespaces a forbidden cluster-wide list is only Degraded (still ready): per-namespace
/// RoleBindings are a valid setup, and changes naming their route still work.
/// </summary>
public sealed class KubernetesReadyCheck(KubernetesRouteStore store, IOptions<GatewayBridgeOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var namespaces = options.Value.Namespaces;
        try
        {
            if (namespaces.Count == 0) await store.ProbeAsync(null, cancellationToken);
            foreach (var ns in namespaces) await store.ProbeAsync(ns, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (KubernetesApiException e) when (e.StatusCode == 403 && namespaces.Count == 0)
        {
            return HealthCheckResult.Degraded($"{e.Message}. Set GatewayBridge:Namespaces to the namespaces bound to the bridge's Role.");
        }
        catch (KubernetesApiException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
