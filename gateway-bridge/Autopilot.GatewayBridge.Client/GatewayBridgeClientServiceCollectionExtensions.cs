using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Autopilot.GatewayBridge.Client;

/// <summary>Configuration section "GatewayBridgeClient": how the guardrail reaches the bridge.</summary>
public sealed class GatewayBridgeClientOptions : IValidatableObject
{
    public const string Section = "GatewayBridgeClient";

    /// <summary>Dapr app-id to invoke (default "gateway-bridge"); set to empty to call <see cref="BaseAddress"/> directly.</summary>
    public string? DaprAppId { get; set; } = "gateway-bridge";

    /// <summary>The bridge's own URL when calling directly, or the sidecar's when using Dapr (default http://127.0.0.1:$DAPR_HTTP_PORT).</summary>
    public string? BaseAddress { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The app-id requests carry, or null when the bridge is called directly.</summary>
    public string? AppId => string.IsNullOrWhiteSpace(DaprAppId) ? null : DaprAppId;

    /// <summary>The URL to call: <see cref="BaseAddress"/>, or the sidecar's (Dapr tells the app its port); always ends in '/'.</summary>
    public Uri Address(string? daprHttpPort)
    {
        var address = BaseAddress ?? $"http://127.0.0.1:{daprHttpPort ?? "3500"}";
        return new Uri(address.EndsWith('/') ? address : address + "/");
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseAddress is null && AppId is null)
            yield return new ValidationResult(
                $"{Section}:BaseAddress is not set and {Section}:DaprAppId is empty; set an absolute URL of the bridge (direct) or an app-id for Dapr service invocation.",
                [nameof(BaseAddress), nameof(DaprAppId)]);
        else if (BaseAddress is not null && !(Uri.TryCreate(BaseAddress, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return new ValidationResult(
                $"{Section}:BaseAddress is '{BaseAddress}'; use an absolute http(s) URL of the bridge (direct) or of the sidecar, or leave it unset.",
                [nameof(BaseAddress)]);
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
            yield return new ValidationResult($"{Section}:Timeout is {Timeout}; use more than 00:00:00 and at most 00:10:00.", [nameof(Timeout)]);
    }
}

public static class GatewayBridgeClientServiceCollectionExtensions
{
    /// <summary>The name of the bridge's HttpClient in IHttpClientFactory. Only this library may use it (an architecture
    /// test keeps it so): a named client is another way to reach the bridge than <see cref="IGatewayBridgeClient"/>.</summary>
    public const string HttpClientName = nameof(GatewayBridgeHttpClient);

    /// <summary>Registers <see cref="IGatewayBridgeClient"/> as <see cref="GatewayBridgeHttpClient"/>; its options are
    /// validated at start-up.</summary>
    public static IServiceCollection AddGatewayBridgeHttpClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayBridgeClientOptions>().Bind(configuration.GetSection(GatewayBridgeClientOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(HttpClientName, (sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<GatewayBridgeClientOptions>>().Value;
            // The one setting Dapr gives the app itself, not through the app's configuration section.
            http.BaseAddress = options.Address(configuration["DAPR_HTTP_PORT"]);
            http.Timeout = options.Timeout;
            // A sidecar started with an API token (dapr.io/api-token-secret) refuses calls without it.
            if (configuration["DAPR_API_TOKEN"] is { Length: > 0 } daprToken) http.DefaultRequestHeaders.Add("dapr-api-token", daprToken);
        });
        services.AddSingleton<IGatewayBridgeClient>(sp => new GatewayBridgeHttpClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<GatewayBridgeClientOptions>>().Value.AppId));
        return services;
    }
}
