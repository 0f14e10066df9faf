using System.Diagnostics.Metrics;
using System.Net;
using Autopilot.Actors.Tests.Support;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Autopilot.Actors.Tests.Notifications;

/// <summary>Notifications from the real loop (IncidentActor on the test runtime) to a webhook receiver on Kestrel.</summary>
public sealed class NotificationDeliveryTests
{
    private const string ConsoleBase = "https://autopilot.example.com";

    private static Dictionary<string, string?> SlackReceiver(WebhookReceiver receiver, int maxAttempts) => new()
    {
        ["Autopilot:Notifications:PublicUrl"] = ConsoleBase,
        ["Autopilot:Notifications:MaxAttempts"] = maxAttempts.ToString(),
        // Backoff on the harness's clock runs in real time; its waiting on the host's clock is tested below.
        ["Autopilot:Notifications:RetryDelay"] = "00:00:00.001",
        ["Autopilot:Notifications:Receivers:0:Name"] = "slack-oncall",
        ["Autopilot:Notifications:Receivers:0:Format"] = "slack",
        ["Autopilot:Notifications:Receivers:0:Url"] = receiver.Url,
        ["Autopilot:Notifications:Receivers:0:Namespaces:0"] = "shop",
    };

    [Fact]
    public async Task An_escalation_reaches_a_slack_webhook_after_a_retry_and_the_delivery_is_recorded_on_the_incident()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError);
        await using var loop = await LoopHarness.StartAsync(settings: SlackReceiver(receiver, maxAttempts: 4));
        await loop.StartNotificationSenderAsync();

        // The model is down and the SOP's default is unsafe: the loop escalates.
        await loop.AlertAsync(LoopHarness.PodCrashLooping());

        await WebhookReceiver.WaitUntilAsync(async () => (await loop.StateAsync()).Record!.Notifications is [{ Deliveries.Count: 1 }], "the delivery is recorded");
        var state = await loop.StateAsync();
        Assert.Equal(IncidentPhase.Escalated, state.Machine.Current!.Phase);
        var incidentId = state.Machine.Current.Id;

        // The same message twice: refused with a 500, accepted on the retry.
        Assert.Equal(2, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(r => r.Body.ToJsonString()).Distinct());
        var (key, slack) = receiver.Received.Last();
        Assert.StartsWith($"{incidentId}/escalated/", key);
        var blocks = slack["blocks"]!.AsArray();
        Assert.Equal("header", (string?)blocks[0]!["type"]);
        Assert.Equal("Escalated: shop/checkout", (string?)blocks[0]!["text"]!["text"]);
        Assert.Contains("escalated", (string?)blocks[1]!["text"]!["text"]);
        Assert.Contains("PodCrashLooping", slack.ToJsonString());
        Assert.Equal($"{ConsoleBase}/console/incidents/{incidentId}", (string?)blocks[^1]!["elements"]![0]!["url"]);
        Assert.StartsWith("Escalated: shop/checkout", (string?)slack["text"]);

        var notification = Assert.Single(state.Record!.Notifications);
        Assert.Equal((NotificationKind.Escalated, key, NotificationRecord.Queued), (notification.Kind, notification.Key, notification.Status));
        var delivery = Assert.Single(notification.Deliveries);
        Assert.Equal(("slack-oncall", true, 2, (string?)null), (delivery.Receiver, delivery.Delivered, delivery.Attempts, delivery.Error));
        Assert.DoesNotContain(state.Record.Steps, s => s.Step == "notify");
        Assert.Equal(delivery, Assert.Single(Assert.Single(loop.Journal.Records).Notifications).Deliveries.Single());
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_gets_every_attempt_and_the_failure_is_recorded_and_counted_while_the_loop_goes_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Enumerable.Repeat(HttpStatusCode.ServiceUnavailable, 10).ToArray());
        await using var loop = await LoopHarness.StartAsync(settings: SlackReceiver(receiver, maxAttempts: 3));
        using var failed = new MetricCollector<long>(loop.Services.GetRequiredService<IMeterFactory>(), LoopTelemetry.Name, "autopilot.notifications.failed");
        await loop.StartNotificationSenderAsync();

        await loop.AlertAsync(LoopHarness.PodCrashLooping());

        await WebhookReceiver.WaitUntilAsync(async () => (await loop.StateAsync()).Record!.Notifications is [{ Deliveries.Count: 1 }], "the failure is recorded");
        var state = await loop.StateAsync();
        Assert.Equal(3, receiver.Received.Count);
        var delivery = Assert.Single(Assert.Single(state.Record!.Notifications).Deliveries);
        Assert.False(delivery.Delivered);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal("HTTP 503 Service Unavailable", delivery.Error);
        var step = Assert.Single(state.Record.Steps, s => s.Step == "notify");
        Assert.Contains("to slack-oncall failed after 3 attempt(s): HTTP 503", step.Summary);
        var counted = Assert.Single(failed.GetMeasurementSnapshot());
        Assert.Equal(1, counted.Value);
        Assert.Equal("slack-oncall", counted.Tags["receiver"]);
        Assert.Equal("escalated", counted.Tags["kind"]);
        Assert.Equal(IncidentPhase.Escalated, state.Machine.Current!.Phase);
    }

    [Fact]
    public async Task A_change_waiting_for_a_person_and_then_applied_reaches_a_json_webhook_once_each_in_the_documented_schema()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var loop = await LoopHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Autopilot:Notifications:PublicUrl"] = ConsoleBase,
            ["Autopilot:Notifications:Receivers:0:Name"] = "itsm",
            ["Autopilot:Notifications:Receivers:0:Format"] = "webhook",
            ["Autopilot:Notifications:Receivers:0:Url"] = receiver.Url,
        });
        await loop.StartNotificationSenderAsync();
        // The test policy sends isolate_backend to a person.
        loop.ModelAnswers("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v2","reason":"checkout-v2 crash-looping"}""");

        await loop.AlertAsync(LoopHarness.PodCrashLooping());
        var incident = (await loop.StateAsync()).Machine.Current!;
        await loop.Runtime.AnswerApprovalAsync(LoopHarness.CheckoutRoute, new ApprovalAnswer(incident.ChangeId!, true, "alice", null));
        await loop.Runtime.FireIncidentReminderAsync(LoopHarness.Checkout, Autopilot.Incidents.Loop.IncidentProcess.ApprovalReminder);

        await WebhookReceiver.WaitUntilAsync(async () => (await loop.StateAsync()).Record!.Notifications.Sum(n => n.Deliveries.Count) == 2, "both are delivered");
        var state = await loop.StateAsync();
        Assert.Equal(IncidentPhase.Applied, state.Machine.Current!.Phase);
        Assert.Equal([NotificationKind.ApprovalNeeded, NotificationKind.ChangeApplied], state.Record!.Notifications.Select(n => n.Kind));
        var bodies = receiver.Received.OrderBy(r => (string?)r.Body["at"]).ThenBy(r => (string?)r.Body["kind"] == "change_applied").Select(r => r.Body).ToList();
        Assert.Equal(["approval_needed", "change_applied"], bodies.Select(b => (string?)b["kind"]));
        Assert.Equal(receiver.Received.Select(r => r.IdempotencyKey).Order(), bodies.Select(b => (string?)b["id"]).Order());
        var approval = bodies[0];
        Assert.Equal(1, (int?)approval["schemaVersion"]);
        Assert.Equal((incident.Id, "shop/checkout", "shop", "critical", "proposed", "isolate_backend"),
            ((string?)approval["incidentId"], (string?)approval["workload"], (string?)approval["namespace"], (string?)approval["severity"],
             (string?)approval["phase"], (string?)approval["action"]));
        Assert.Contains("checkout-v2=10 → checkout-v1=100 checkout-v2=0", (string?)approval["summary"]);
        Assert.Contains("policy checkout-test requires a person's approval", (string?)approval["summary"]);
        Assert.Equal($"{ConsoleBase}/console/incidents/{incident.Id}", (string?)approval["consoleUrl"]);
        Assert.Equal("applied", (string?)bodies[1]["phase"]);
    }

    [Fact]
    public async Task A_receiver_that_does_not_want_the_namespace_gets_nothing_and_the_incident_notes_no_notification()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = SlackReceiver(receiver, maxAttempts: 1);
        settings["Autopilot:Notifications:Receivers:0:Namespaces:0"] = "payments";
        await using var loop = await LoopHarness.StartAsync(settings: settings);
        await loop.StartNotificationSenderAsync();

        await loop.AlertAsync(LoopHarness.PodCrashLooping());

        var state = await loop.StateAsync();
        Assert.Equal(IncidentPhase.Escalated, state.Machine.Current!.Phase);
        Assert.Empty(state.Record!.Notifications);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Retries_back_off_on_the_hosts_clock()
    {
        await using var receiver = await WebhookReceiver.StartAsync(HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway);
        var start = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var dispatcher = new RecordingDeliveries();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<LoopTelemetry>();
        services.AddSingleton<IIncidentDispatcher>(dispatcher);
        services.AddIncidentNotifications(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autopilot:Notifications:PublicUrl"] = ConsoleBase,
            ["Autopilot:Notifications:MaxAttempts"] = "3",
            ["Autopilot:Notifications:RetryDelay"] = "00:05:00",
            // The timeout of a try runs on the same clock: long enough that moving the clock never cuts a try short.
            ["Autopilot:Notifications:AttemptTimeout"] = "00:05:00",
            ["Autopilot:Notifications:Receivers:0:Name"] = "hook",
            ["Autopilot:Notifications:Receivers:0:Url"] = receiver.Url,
        }).Build());
        await using var provider = services.BuildServiceProvider();
        var sender = provider.GetServices<IHostedService>().OfType<NotificationSender>().Single();
        await sender.StartAsync(CancellationToken.None);

        Assert.True(provider.GetRequiredService<NotificationQueue>().TryEnqueue(NotificationSamples.Escalation() with { Receivers = ["hook"] }));

        // Minutes of backoff pass only when the test moves the clock.
        await WebhookReceiver.WaitUntilAsync(() => Task.FromResult(!dispatcher.Deliveries.IsEmpty), "the delivery is reported",
            meanwhile: () => time.Advance(TimeSpan.FromSeconds(30)));
        var delivery = Assert.Single(dispatcher.Deliveries);
        Assert.Equal((true, 3, (string?)null), (delivery.Delivered, delivery.Attempts, delivery.Error));
        Assert.Equal(3, receiver.Received.Count);
        // Without backoff the retries would have finished before the clock first moved.
        Assert.True(delivery.At > start, "the retries did not wait on the clock");
        await sender.StopAsync(CancellationToken.None);
    }

    private sealed class RecordingDeliveries : IIncidentDispatcher
    {
        public System.Collections.Concurrent.ConcurrentQueue<NotificationDelivery> Deliveries { get; } = new();

        public Task RecordNotificationAsync(WorkloadKey workload, NotificationDelivery delivery, CancellationToken ct)
        {
            Deliveries.Enqueue(delivery);
            return Task.CompletedTask;
        }

        public Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct) => throw new NotSupportedException();

        public Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct) => throw new NotSupportedException();

        public Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct) => throw new NotSupportedException();
    }
}
