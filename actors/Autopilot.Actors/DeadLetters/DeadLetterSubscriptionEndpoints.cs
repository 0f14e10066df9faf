using System.Text.Json;
using Autopilot.Api.Alerts;
using Autopilot.Hosting.Sidecar;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Dapr;
using Dapr.AspNetCore;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.DeadLetters;

/// <summary>
/// POST /alerts/dead-letters: the subscription of the dead-letter topic (Autopilot:Alerts:DeadLetterTopic). Dapr moves
/// an alert event there when the app answered DROP or every delivery failed; it is stored (<see cref="IDeadLetterStore"/>)
/// so GET /dead-letters shows it, as the stand-alone host shows its own.
/// </summary>
public static class DeadLetterSubscriptionEndpoints
{
    public const string Path = "/alerts/dead-letters";

    public static IEndpointRouteBuilder MapDeadLetterSubscription(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<AlertsOptions>>().Value;
        endpoints.MapPost(Path, ReceiveAsync).WithTopic(options.PubSubName, options.DeadLetterTopic)
            .RequireSidecar();
        return endpoints;
    }

    /// <summary>SUCCESS once stored; RETRY when the store fails, so the letter is not lost a second time.</summary>
    private static async Task<IResult> ReceiveAsync(HttpRequest request, IDeadLetterStore store, IOptions<AlertsOptions> options,
        TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger("Autopilot.DeadLetters");
        var body = await AlertBody.ReadAsync(request, ct);
        var message = body is null ? $"(the event was over {AlertPayloadLimits.Default.MaxBodyBytes} bytes and is not kept)" : DeadLetterRecord.MessageText(body);
        var alerts = options.Value;
        var letter = new DeadLetterRecord(EventId(body) ?? Guid.NewGuid().ToString("N"), alerts.Topic, time.GetUtcNow(),
            $"Dapr moved it to {alerts.DeadLetterTopic}: the app answered DROP or every delivery failed (resiliency policy)", null, message);
        try
        {
            await store.AddAsync(letter, ct);
            logger.LogError("Alert event {Id} was dead-lettered on {Topic}; see GET /dead-letters", letter.Id, alerts.DeadLetterTopic);
            return Results.Ok(new { status = "SUCCESS" });
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not store dead letter {Id}; asking Dapr to redeliver", letter.Id);
            return Results.Ok(new { status = "RETRY" });
        }
    }

    /// <summary>The CloudEvent id, so a redelivered letter is stored once; null when the body is no CloudEvent or the id
    /// is not safe inside a state key.</summary>
    private static string? EventId(byte[]? body)
    {
        if (body is null) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                   && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 200 } value
                   && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
