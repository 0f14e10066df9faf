namespace Autopilot.Incidents.Ports;

/// <summary>Publishes a validated Alertmanager payload, unchanged, to the alerts topic (Dapr: the sidecar's pub/sub;
/// stand-alone: the in-memory topic).</summary>
public interface IAlertPublisher
{
    Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct);
}
