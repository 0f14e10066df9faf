using Autopilot.Hosting.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Autopilot.Hosting;

/// <summary>
/// What every Autopilot web host does the same way, as the .NET reference apps' service defaults do:
/// <see cref="AddServiceDefaults"/> (telemetry, problem details, the shared exception handler, health checks) and
/// <see cref="MapDefaultEndpoints"/> (the exception handler and status pages in the pipeline, /healthz, /readyz, /metrics).
/// </summary>
public static class ServiceDefaults
{
    /// <summary>Every Autopilot meter and activity source starts with this, so one wildcard collects them all.</summary>
    public const string TelemetryPrefix = "Autopilot.";

    /// <summary>
    /// Traces and metrics for one app: ASP.NET Core and HttpClient instrumentation (so a trace follows an incident
    /// across apps through Dapr's traceparent propagation), every "Autopilot.*" meter and source, a Prometheus
    /// scrape endpoint, and OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT (or Telemetry:OtlpEndpoint) is set.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        var otlpEndpoint = builder.Configuration["Telemetry:OtlpEndpoint"]
            ?? builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (otlpEndpoint is not null && !Uri.TryCreate(otlpEndpoint, UriKind.Absolute, out _))
            throw new InvalidOperationException(
                $"Configuration 'Telemetry:OtlpEndpoint' is '{otlpEndpoint}', which is not an absolute URI; use e.g. http://otel-collector:4317 or leave it unset.");

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<RequestErrorHandler>();
        builder.Services.AddHealthChecks();
        builder.Services.AddMonitoringPort(builder.Configuration);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(TelemetryPrefix + "*")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsScrapeOrProbe(ctx.Request.Path))
                    .AddHttpClientInstrumentation();
                if (otlpEndpoint is not null) tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TelemetryPrefix + "*")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddPrometheusExporter();
                if (otlpEndpoint is not null) metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlpEndpoint));
            });
        return builder;
    }

    /// <summary>Errors become problem details (<see cref="RequestErrorHandler"/>, an app's own handlers, else the
    /// framework's 500; a bare status code gets a problem body too), the monitoring port keeps to its endpoints
    /// (<see cref="MonitoringPort"/>), then /healthz (liveness), /readyz (checks tagged "ready") and /metrics
    /// (Prometheus scrape), all three also on the monitoring port.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMonitoringPort();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).ServedOnMonitoringPort();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync })
            .ServedOnMonitoringPort();
        app.MapPrometheusScrapingEndpoint("/metrics").ServedOnMonitoringPort();
        return app;
    }

    /// <summary>The status, as the default writer writes it, then one line per check that is not healthy with its
    /// reason: an operator reading the probe learns why without searching the logs.</summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"\n{e.Key}: {e.Value.Description ?? e.Value.Exception?.Message ?? e.Value.Status.ToString()}");
        return context.Response.WriteAsync(report.Status + string.Concat(lines));
    }

    private static bool IsScrapeOrProbe(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
