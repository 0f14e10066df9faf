using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Notifications;

/// <summary>
/// The bounded hand-over from the incident loop to the <see cref="NotificationSender"/>: enqueuing never waits, and a
/// full queue refuses the message instead of holding the loop up. A key queued recently is not queued again (a step
/// retried before its state was saved makes the same transition twice).
/// </summary>
public sealed class NotificationQueue
{
    private readonly Channel<IncidentNotification> _channel;
    private readonly int _keysKept;
    private readonly HashSet<string> _recentKeys = new(StringComparer.Ordinal);
    private readonly Queue<string> _keyOrder = new();
    private readonly Lock _gate = new();

    public NotificationQueue(IOptions<NotificationsOptions> options)
    {
        var capacity = options.Value.QueueCapacity;
        _channel = Channel.CreateBounded<IncidentNotification>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full; nothing ever waits on it
            SingleReader = true,
        });
        _keysKept = capacity * 4;
    }

    public ChannelReader<IncidentNotification> Reader => _channel.Reader;

    /// <summary>False when the queue is full (the message is dropped); true when queued now or already.</summary>
    public bool TryEnqueue(IncidentNotification notification)
    {
        lock (_gate)
        {
            if (_recentKeys.Contains(notification.Key)) return true;
            if (!_channel.Writer.TryWrite(notification)) return false;
            _recentKeys.Add(notification.Key);
            _keyOrder.Enqueue(notification.Key);
            if (_keyOrder.Count > _keysKept) _recentKeys.Remove(_keyOrder.Dequeue());
            return true;
        }
    }
}
