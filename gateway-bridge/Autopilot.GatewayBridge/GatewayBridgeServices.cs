using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core;
using Autopilot.Hosting;
using Autopilot.Hosting.Sidecar;
using Microsoft.AspNetCore.Diagnostics;

namespace Autopilot.GatewayBridge;

public static class GatewayBridgeServices
{
    public const string AppId = "gateway-bridge";

    /// <summary>The approval signing key, shared with the guardrail through the secret store.</summary>
    public static readonly DaprSecret SigningKey = new("GatewayBridge:ApprovalSigningKey", "GatewayBridge:ApprovalKeySecretStore",
        "GatewayBridge:ApprovalKeySecretName", DaprSecret.ApprovalSigningKey);

    /// <summary>The bridge's services: the approval signing key (from the Dapr secret store when not configured), the
    /// sidecar's app API token, the Kubernetes client and the change service, the "kubernetes-api" readiness check, and
    /// the handler that turns a bridge refusal into problem details.</summary>
    public static async Task AddGatewayBridgeServicesAsync(this WebApplicationBuilder builder)
    {
        await builder.LoadSecretAsync(SigningKey);
        builder.AddSidecarAuthentication();
        builder.Services.AddGatewayBridgeCore(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<KubernetesReadyCheck>("kubernetes-api", tags: ["ready"]);
        builder.Services.AddExceptionHandler<GatewayBridgeExceptionHandler>();
    }
}

/// <summary>A refusal the bridge chose (bad input, approval, conflict, cluster): problem details with its status.</summary>
public sealed class GatewayBridgeExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct) =>
        exception is GatewayBridgeException refusal && await problems.WriteProblemAsync(http, refusal.StatusCode, refusal.Title, refusal.Detail);
}
