using Autopilot.Api.Alerts;
using Autopilot.Incidents.Alerts;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Alerts;

/// <summary>
/// POST /alerts: the alerts topic's subscription (Dapr delivers CloudEvents), fanned out to one IncidentActor per
/// workload. The webhook that publishes to the topic is the shared API's (Autopilot.Api).
/// </summary>
public static class AlertSubscriptionEndpoints
{
    public static IEndpointRouteBuilder MapAlertSubscription(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AlertsOptions>>().Value;
        endpoints.MapPost("/alerts", ReceiveEventAsync)
            .WithTopic(new TopicOptions { PubsubName = options.PubSubName, Name = options.Topic, DeadLetterTopic = options.DeadLetterTopic });
        return endpoints;
    }

    /// <summary>Dapr pub/sub answers: SUCCESS, DROP (malformed; counted, never retried) or RETRY (transient).</summary>
    private static async Task<IResult> ReceiveEventAsync(
        HttpRequest request, AlertFanOut fanOut, LoopTelemetry telemetry, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Autopilot.Alerts");
        var body = await AlertBody.ReadAsync(request, ct);
        var parsed = body is null
            ? ParseOutcome<AlertBatch>.Failure("$", $"body exceeds {AlertPayloadLimits.Default.MaxBodyBytes} bytes")
            : AlertPayloadParser.ParseEvent(body);
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
