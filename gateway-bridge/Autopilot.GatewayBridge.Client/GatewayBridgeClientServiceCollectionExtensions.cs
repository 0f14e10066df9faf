using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.GatewayBridge.Client;

/// <summary>Configuration section "GatewayBridgeClient".</summary>
public sealed class GatewayBridgeClientOptions
{
    public const string Section = "GatewayBridgeClient";

    /// <summary>Dapr app-id to invoke (default "gateway-bridge"); set to empty to call <see cref="BaseAddress"/> directly.</summary>
    public string? DaprAppId { get; set; } = "gateway-bridge";

    /// <summary>The bridge's own URL when calling directly, or the sidecar's when using Dapr (default http://127.0.0.1:$DAPR_HTTP_PORT).</summary>
    public string? BaseAddress { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}

public static class GatewayBridgeClientServiceCollectionExtensions
{
    /// <summary>Registers <see cref="IGatewayBridgeClient"/> as <see cref="GatewayBridgeHttpClient"/>, validated when first resolved.</summary>
    public static IServiceCollection AddGatewayBridgeHttpClient(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(GatewayBridgeClientOptions.Section).Get<GatewayBridgeClientOptions>() ?? new GatewayBridgeClientOptions();
        var appId = string.IsNullOrWhiteSpace(options.DaprAppId) ? null : options.DaprAppId;
        var baseAddress = options.BaseAddress
            ?? (appId is not null ? $"http://127.0.0.1:{configuration["DAPR_HTTP_PORT"] ?? "3500"}" : null);
        if (!Uri.TryCreate(baseAddress, UriKind.Absolute, out var uri))
            throw new InvalidOperationException(
                $"{GatewayBridgeClientOptions.Section}:BaseAddress is '{baseAddress}'; set an absolute URL of the bridge (direct) or leave it unset and set {GatewayBridgeClientOptions.Section}:DaprAppId for Dapr service invocation.");
        services.AddHttpClient(nameof(GatewayBridgeHttpClient), http =>
        {
            http.BaseAddress = uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
            http.Timeout = options.Timeout;
        });
        services.AddSingleton<IGatewayBridgeClient>(sp =>
            new GatewayBridgeHttpClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(GatewayBridgeHttpClient)), appId));
        return services;
    }
}
