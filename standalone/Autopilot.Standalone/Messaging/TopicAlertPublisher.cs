using System.Text.Json;
using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.Messaging;

/// <summary>The webhook's publisher in the stand-alone host: the in-memory "alerts" topic instead of Dapr pub/sub. Like
/// Dapr, it delivers each payload wrapped in a CloudEvent 1.0 envelope, so the subscriber parses what it would parse
/// under Dapr (and refuses a bare payload as it would there).</summary>
public sealed class TopicAlertPublisher(InMemoryTopic<byte[]> topic, TimeProvider clock) : IAlertPublisher
{
    public const string Source = "autopilot-standalone";

    public async Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) =>
        await topic.PublishAsync(Wrap(payload.Span, topic.Name, clock.GetUtcNow()), ct);

    /// <summary>The envelope Dapr's pub/sub puts around a JSON payload (type com.dapr.event.sent, the payload as data).</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> jsonPayload, string topicName, DateTimeOffset time)
    {
        using var buffer = new MemoryStream(jsonPayload.Length + 256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", Guid.NewGuid().ToString());
            json.WriteString("source", Source);
            json.WriteString("type", "com.dapr.event.sent");
            json.WriteString("datacontenttype", "application/json");
            json.WriteString("topic", topicName);
            json.WriteString("time", time.ToString("O"));
            json.WritePropertyName("data");
            json.WriteRawValue(jsonPayload, skipInputValidation: true); // the webhook has parsed it already
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
