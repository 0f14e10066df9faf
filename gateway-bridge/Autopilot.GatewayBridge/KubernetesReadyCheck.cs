using Autopilot.GatewayBridge.Core.Kubernetes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Autopilot.GatewayBridge;

/// <summary>Ready only while the Kubernetes API answers and our service account may list HTTPRoutes.</summary>
public sealed class KubernetesReadyCheck(KubernetesRouteStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ProbeAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (KubernetesApiException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
