using System.Security.Cryptography;
using System.Text;
using Autopilot.Incidents.Alerts;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Alerts;

/// <summary>
/// POST /alertmanager: Alertmanager's webhook, validated and published to the "alerts" topic.
/// POST /alerts: the topic's subscription (Dapr delivers CloudEvents), fanned out to one IncidentActor per workload.
/// </summary>
public static class AlertEndpoints
{
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AlertsOptions>>().Value;
        endpoints.MapPost("/alertmanager", ReceiveWebhookAsync);
        endpoints.MapPost("/alerts", ReceiveEventAsync)
            .WithTopic(new TopicOptions { PubsubName = options.PubSubName, Name = options.Topic, DeadLetterTopic = options.DeadLetterTopic });
        return endpoints;
    }

    private static async Task<IResult> ReceiveWebhookAsync(
        HttpRequest request, IAlertPublisher publisher, IOptions<AlertsOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        var settings = options.Value;
        if (!Authorized(request, settings.BearerToken))
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong bearer token",
                detail: "This endpoint requires 'Authorization: Bearer <token>' (configuration Autopilot:Alerts:BearerToken).");

        var body = await ReadBodyAsync(request, ct);
        if (body is null)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body exceeds {AlertPayloadLimits.Default.MaxBodyBytes} bytes.", extensions: Field("$"));
        var parsed = AlertPayloadParser.ParseWebhook(body);
        if (!parsed.IsSuccess)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Alertmanager payload",
                detail: $"{parsed.Error!.Field}: {parsed.Error.Message}", extensions: Field(parsed.Error.Field));

        // The payload goes out as it came in: subscribers parse the same bytes with the same parser.
        await publisher.PublishAsync(body, ct);
        loggers.CreateLogger("Autopilot.Alerts").LogInformation("Published {Count} alert(s) from receiver {Receiver} to {Topic}",
            parsed.Value!.Alerts.Count, parsed.Value.Receiver, settings.Topic);
        return Results.Accepted(value: new { published = parsed.Value.Alerts.Count });
    }

    /// <summary>Dapr pub/sub answers: SUCCESS, DROP (malformed; counted, never retried) or RETRY (transient).</summary>
    private static async Task<IResult> ReceiveEventAsync(
        HttpRequest request, AlertFanOut fanOut, ActorsTelemetry telemetry, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Autopilot.Alerts");
        var body = await ReadBodyAsync(request, ct);
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

    private static Dictionary<string, object?> Field(string field) => new() { ["field"] = field };

    /// <summary>The body, or null when it is larger than the parser would accept (read no further than that).</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = AlertPayloadLimits.Default.MaxBodyBytes;
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static bool Authorized(HttpRequest request, string? token)
    {
        if (string.IsNullOrEmpty(token)) return true;
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
