using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Autopilot.Hosting.Monitoring;

/// <summary>Configuration section "Autopilot:Monitoring": the port Prometheus and Alertmanager use.</summary>
public sealed class MonitoringOptions : IValidatableObject
{
    public const string Section = "Autopilot:Monitoring";

    /// <summary>A second port the app listens on (list it in ASPNETCORE_URLS too) that serves only the endpoints marked
    /// <see cref="MonitoringPort.ServedOnMonitoringPort{TBuilder}"/>: /metrics, the probes and, on the actors app,
    /// Alertmanager's webhook. Unset: one port serves everything (stand-alone, local runs).</summary>
    public int? Port { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Port is < 1 or > 65535)
            yield return new ValidationResult($"{Section}:Port is {Port}; use a TCP port from 1 to 65535, or leave it unset.", [nameof(Port)]);
    }
}

/// <summary>
/// Splits what the monitoring namespace may reach from what only the sidecar and operators may: a NetworkPolicy can
/// open a port but not a path, so the endpoints monitoring needs are served on a port of their own and that port
/// answers 404 for everything else. A request's port is the connection's local port, which a client cannot choose
/// the way it chooses a Host header.
/// </summary>
public static class MonitoringPort
{
    private sealed class Marker;

    /// <summary>This endpoint answers on the monitoring port as well as the app port.</summary>
    public static TBuilder ServedOnMonitoringPort<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.WithMetadata(new Marker());

    public static IServiceCollection AddMonitoringPort(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<MonitoringOptions>().Bind(configuration.GetSection(MonitoringOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }

    /// <summary>Runs after routing: on the monitoring port, an endpoint not marked for it is answered 404.</summary>
    public static WebApplication UseMonitoringPort(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<MonitoringOptions>>().Value.Port is not { } port) return app;
        app.Use(async (http, next) =>
        {
            if (http.Connection.LocalPort == port && http.GetEndpoint()?.Metadata.GetMetadata<Marker>() is null)
            {
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteProblemAsync(http, StatusCodes.Status404NotFound,
                    "Not on this port", $"Port {port} serves only what monitoring needs (/metrics, the probes, the alert webhook).");
                return;
            }
            await next(http);
        });
        return app;
    }
}
