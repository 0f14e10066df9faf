using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Incidents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Notifications;

/// <summary>
/// The one place the incident loop (either host) tells people about a transition: it turns an accepted transition into
/// messages, queues them for the <see cref="NotificationSender"/> and notes them on the incident record. A transition
/// already noted on the record is not queued again, so a re-driven step never repeats a message. Never throws into
/// the loop and never waits on a receiver.
/// </summary>
public sealed class IncidentNotifier(NotificationQueue queue, IOptions<NotificationsOptions> options, LoopTelemetry telemetry, ILogger<IncidentNotifier> logger)
{
    private readonly NotificationsOptions _options = options.Value;

    /// <summary>The record with any new notification of this transition noted as queued (or dropped, when the queue is full).</summary>
    public IncidentRecord Notify(Incident? before, Incident after, IncidentRecord record)
    {
        if (_options.Receivers.Count == 0) return record;
        foreach (var notification in TransitionNotifications.For(before, after, record, _options))
        {
            if (record.Notifications.Any(n => n.Key == notification.Key)) continue;
            var queued = queue.TryEnqueue(notification);
            if (!queued)
            {
                telemetry.NotificationsDropped.Add(1, new KeyValuePair<string, object?>("kind", NotificationNames.Of(notification.Kind)));
                logger.LogWarning("Notification {Key} dropped: the queue of {Capacity} is full", notification.Key, _options.QueueCapacity);
            }
            record = record with
            {
                Notifications = [.. record.Notifications, new NotificationRecord(notification.Key, notification.Kind, notification.At,
                    notification.Receivers, queued ? NotificationRecord.Queued : NotificationRecord.Dropped)],
            };
        }
        return record;
    }

    /// <summary>The record with a receiver's answer added to its notification (unknown keys are ignored).</summary>
    public static IncidentRecord WithDelivery(IncidentRecord record, NotificationDelivery delivery) => record with
    {
        Notifications = [.. record.Notifications.Select(n => n.Key == delivery.Key ? n with { Deliveries = [.. n.Deliveries, delivery] } : n)],
    };

    /// <summary>The incident's step line for a delivery that failed.</summary>
    public static string Describe(NotificationDelivery delivery) =>
        $"{delivery.Key} to {delivery.Receiver} {(delivery.Delivered ? "delivered" : "failed")} after {delivery.Attempts} attempt(s)"
        + (delivery.Error is { } error ? $": {error}" : "");
}
