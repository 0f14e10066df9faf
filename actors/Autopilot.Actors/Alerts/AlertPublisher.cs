using Autopilot.Api.Alerts;
using Autopilot.Incidents.Ports;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Alerts;

/// <summary>Publishes through the Dapr sidecar's pub/sub API, the payload unchanged as application/json.</summary>
public sealed class DaprAlertPublisher(DaprClient dapr, IOptions<AlertsOptions> options) : IAlertPublisher
{
    public Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) =>
        dapr.PublishByteEventAsync(options.Value.PubSubName, options.Value.Topic, payload, "application/json", cancellationToken: ct);
}
