using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.Messaging;

/// <summary>The webhook's publisher in the stand-alone host: the in-memory "alerts" topic instead of Dapr pub/sub.</summary>
public sealed class TopicAlertPublisher(InMemoryTopic<byte[]> topic) : IAlertPublisher
{
    public async Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) => await topic.PublishAsync(payload.ToArray(), ct);
}
