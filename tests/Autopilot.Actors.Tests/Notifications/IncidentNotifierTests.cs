using System.Diagnostics.Metrics;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Incidents;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Autopilot.Actors.Tests.Notifications.NotificationSamples;

namespace Autopilot.Actors.Tests.Notifications;

public sealed class IncidentNotifierTests : IDisposable
{
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private (IncidentNotifier Notifier, NotificationQueue Queue) Notifier(int capacity = 10)
    {
        var options = Microsoft.Extensions.Options.Options.Create(NotificationSamples.Options(Receiver()));
        options.Value.QueueCapacity = capacity;
        var queue = new NotificationQueue(options);
        return (new IncidentNotifier(queue, options, new LoopTelemetry(_meters.GetRequiredService<IMeterFactory>()), NullLogger<IncidentNotifier>.Instance), queue);
    }

    public void Dispose() => _meters.Dispose();

    [Fact]
    public void A_transition_is_queued_and_noted_on_the_record_once_however_often_the_step_is_re_driven()
    {
        var (notifier, queue) = Notifier();
        var before = Triaging();
        var escalated = Moved(before, IncidentPhase.Escalated, "escalated");

        var record = notifier.Notify(before, escalated, Record());
        record = notifier.Notify(before, escalated, record);
        // A step re-driven after its state was lost: the record does not know, the queue does.
        var lost = notifier.Notify(before, escalated, Record());

        Assert.Equal(NotificationRecord.Queued, Assert.Single(record.Notifications).Status);
        Assert.Single(lost.Notifications);
        Assert.True(queue.Reader.TryRead(out var message));
        Assert.Equal(NotificationKind.Escalated, message.Kind);
        Assert.False(queue.Reader.TryRead(out _));
    }

    [Fact]
    public void A_full_queue_drops_the_message_notes_it_on_the_incident_and_counts_it_without_throwing()
    {
        using var dropped = new MetricCollector<long>(_meters.GetRequiredService<IMeterFactory>(), LoopTelemetry.Name, "autopilot.notifications.dropped");
        var (notifier, _) = Notifier(capacity: 1);
        var before = Triaging();
        var applied = Moved(before, IncidentPhase.Applied, "applied");

        var first = notifier.Notify(before, applied, Record());
        var second = notifier.Notify(applied, Moved(applied, IncidentPhase.RolledBack, "undone"), first);

        Assert.Equal([NotificationRecord.Queued, NotificationRecord.Dropped], second.Notifications.Select(n => n.Status));
        Assert.Equal("rolled_back", Assert.Single(dropped.GetMeasurementSnapshot()).Tags["kind"]);
    }

    [Fact]
    public void A_delivery_is_added_to_its_own_notification()
    {
        var (notifier, _) = Notifier();
        var before = Triaging();
        var applied = Moved(before, IncidentPhase.Applied, "applied");
        var record = notifier.Notify(applied, Moved(applied, IncidentPhase.Resolved, "resolved"), notifier.Notify(before, applied, Record()));
        var delivery = new NotificationDelivery(record.Notifications[1].Key, IncidentId, "everyone", false, 4, "HTTP 500", At);

        var updated = IncidentNotifier.WithDelivery(record, delivery);

        Assert.Empty(updated.Notifications[0].Deliveries);
        Assert.Equal(delivery, Assert.Single(updated.Notifications[1].Deliveries));
        Assert.Equal($"{delivery.Key} to everyone failed after 4 attempt(s): HTTP 500", IncidentNotifier.Describe(delivery));
    }
}
