using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.GatewayBridge.Core.Kubernetes;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Autopilot.GatewayBridge.Core;

public static class GatewayBridgeServiceCollectionExtensions
{
    /// <summary>
    /// The bridge from configuration section "GatewayBridge", validated at start-up. Registers
    /// <see cref="GatewayBridgeService"/> also as <see cref="IGatewayBridgeClient"/>: that is the in-process client
    /// stand-alone mode uses instead of service invocation.
    /// </summary>
    public static IServiceCollection AddGatewayBridgeCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayBridgeOptions>()
            .Bind(configuration.GetSection(GatewayBridgeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKubernetes>(sp => KubernetesClientFactory.Create(Options(sp).Kubernetes));
        services.TryAddSingleton(sp => new KubernetesRouteStore(sp.GetRequiredService<IKubernetes>(), Options(sp).RateLimitPolicy));
        services.TryAddSingleton(sp => ApprovalKey.FromSecret(Options(sp).ApprovalSigningKey));
        services.TryAddSingleton(sp => new GatewayBridgeService(
            sp.GetRequiredService<KubernetesRouteStore>(),
            Options(sp),
            sp.GetRequiredService<ApprovalKey>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GatewayBridgeService>>()));
        services.TryAddSingleton<IGatewayBridgeClient>(sp => sp.GetRequiredService<GatewayBridgeService>());
        return services;
    }

    private static GatewayBridgeOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<GatewayBridgeOptions>>().Value;
}
