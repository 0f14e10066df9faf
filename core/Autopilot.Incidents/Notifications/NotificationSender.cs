using System.Diagnostics;
using System.Text;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace Autopilot.Incidents.Notifications;

/// <summary>
/// Sends queued notifications in the background, one message at a time to all its receivers at once, through the
/// "autopilot-notifications" HttpClient (retries with exponential backoff, a timeout per try). Each receiver's answer
/// goes back to the incident through its dispatcher (so it is recorded in the incident's own turn) and into the
/// autopilot.notifications.sent / .failed counters. A failure is recorded, never thrown.
/// </summary>
public sealed class NotificationSender(
    NotificationQueue queue,
    IHttpClientFactory http,
    IIncidentDispatcher dispatcher,
    IOptions<NotificationsOptions> options,
    LoopTelemetry telemetry,
    TimeProvider time,
    ILogger<NotificationSender> logger) : BackgroundService
{
    public const string HttpClientName = "autopilot-notifications";

    /// <summary>Retries made for one delivery, counted by the retry strategy's OnRetry.</summary>
    public static readonly ResiliencePropertyKey<int> Retries = new("autopilot.notifications.retries");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notification in queue.Reader.ReadAllAsync(stoppingToken))
            await SendAsync(notification, stoppingToken);
    }

    private async Task SendAsync(IncidentNotification notification, CancellationToken ct)
    {
        var receivers = options.Value.Receivers.Where(r => notification.Receivers.Contains(r.Name, StringComparer.Ordinal));
        var deliveries = await Task.WhenAll(receivers.Select(r => DeliverAsync(r, notification, ct)));
        var workload = WorkloadKey.Parse(notification.Workload);
        foreach (var delivery in deliveries)
        {
            try
            {
                await dispatcher.RecordNotificationAsync(workload, delivery, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not record the delivery of {Key} to {Receiver} on incident {IncidentId}", delivery.Key, delivery.Receiver, delivery.IncidentId);
            }
        }
    }

    private async Task<NotificationDelivery> DeliverAsync(NotificationReceiver receiver, IncidentNotification notification, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        string? error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, receiver.Url)
            {
                Content = new StringContent(NotificationPayloads.For(receiver.Format, notification), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", notification.Key);
            request.SetResilienceContext(context);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            error = response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        var attempts = context.Properties.GetValue(Retries, 0) + 1;
        ResilienceContextPool.Shared.Return(context);

        var tags = new TagList { { "receiver", receiver.Name }, { "kind", NotificationNames.Of(notification.Kind) } };
        if (error is null)
        {
            telemetry.NotificationsSent.Add(1, tags);
        }
        else
        {
            telemetry.NotificationsFailed.Add(1, tags);
            logger.LogWarning("Notification {Key} to {Receiver} failed after {Attempts} attempt(s): {Error}", notification.Key, receiver.Name, attempts, error);
        }
        return new NotificationDelivery(notification.Key, notification.IncidentId, receiver.Name, error is null, attempts, error, time.GetUtcNow());
    }
}
