using Autopilot.GatewayBridge.Core;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.Hosting;

namespace Autopilot.GatewayBridge;

public static class GatewayBridgeHost
{
    public const string AppId = "gateway-bridge";

    /// <summary>Builds the bridge web app; <paramref name="configure"/> lets tests add configuration and a loopback port.</summary>
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddAutopilotHosting(AppId);
        using (var loggerFactory = LoggerFactory.Create(l => l.AddConsole()))
            await DaprSecretStoreKey.LoadIntoAsync(builder.Configuration, loggerFactory.CreateLogger(typeof(DaprSecretStoreKey)));
        builder.Services.AddGatewayBridgeCore(builder.Configuration);
        builder.Services.AddHealthChecks().AddCheck<KubernetesReadyCheck>("kubernetes-api", tags: ["ready"]);

        var app = builder.Build();
        // Resolving the service now turns a bad key or Kubernetes configuration into a start-up failure, not a first-request one.
        app.Services.GetRequiredService<GatewayBridgeService>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapAutopilotHosting();
        app.MapGatewayBridgeApi();
        return app;
    }
}
