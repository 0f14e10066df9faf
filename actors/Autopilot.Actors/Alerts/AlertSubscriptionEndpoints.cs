using Autopilot.Api.Alerts;
using Autopilot.Hosting.Sidecar;
using Autopilot.Incidents.Alerts;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Alerts;

/// <summary>
/// POST /alerts: the alerts topic's subscription, fanned out to one IncidentActor per workload. Only the sidecar calls it
/// (app API token), and only with what the pub/sub building block delivers: a CloudEvent (application/cloudevents+json);
/// a bare Alertmanager payload is refused. The webhook that publishes to the topic is the shared API's (Autopilot.Api).
/// </summary>
public static class AlertSubscriptionEndpoints
{
    public const string CloudEventContentType = "application/cloudevents+json";

    public static IEndpointRouteBuilder MapAlertSubscription(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AlertsOptions>>().Value;
        endpoints.MapPost("/alerts", ReceiveEventAsync)
            .WithTopic(new TopicOptions { PubsubName = options.PubSubName, Name = options.Topic, DeadLetterTopic = options.DeadLetterTopic })
            .RequireSidecar();
        return endpoints;
    }

    /// <summary>Dapr pub/sub answers: SUCCESS, DROP (malformed; counted, never retried) or RETRY (transient).</summary>
    private static async Task<IResult> ReceiveEventAsync(
        HttpRequest request, AlertFanOut fanOut, LoopTelemetry telemetry, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), CloudEventContentType, StringComparison.OrdinalIgnoreCase))
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a CloudEvent",
                detail: $"The alerts topic delivers {CloudEventContentType}; alerts from Alertmanager go to POST /alertmanager.");
        var logger = loggers.CreateLogger("Autopilot.Alerts");
        var body = await AlertBody.ReadAsync(request, ct);
        var parsed = body is null
            ? ParseOutcome<AlertBatch>.Failure("$", $"body exceeds {AlertPayloadLimits.Default.MaxBodyBytes} bytes")
            : AlertPayloadParser.ParseCloudEvent(body);
        if (!parsed.IsSuccess)
        {
            telemetry.AlertsDropped.Add(1, new KeyValuePair<string, object?>("field", parsed.Error!.Field));
            logger.LogWarning("Dropped malformed alert event: {Field}: {Message}", parsed.Error.Field, parsed.Error.Message);
            return Results.Ok(new { status = "DROP" });
        }

        try
        {
            var result = await fanOut.FanOutAsync(parsed.Value!, ct);
            return Results.Ok(new { status = "SUCCESS", workloads = result.Workloads, unresolved = result.Unresolved.Count });
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Alert fan-out failed; asking Dapr to redeliver");
            return Results.Ok(new { status = "RETRY" });
        }
    }
}
