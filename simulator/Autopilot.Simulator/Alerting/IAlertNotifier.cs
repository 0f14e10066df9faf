using System.Net.Http.Headers;

namespace Autopilot.Simulator.Alerting;

/// <summary>Where the built-in evaluator delivers notifications: the stand-alone webhook, or anything else that takes them.</summary>
public interface IAlertNotifier
{
    Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken);
}

/// <summary>Posts notifications to an Alertmanager-compatible webhook (the actors app's or the stand-alone POST /alertmanager).</summary>
public sealed class WebhookAlertNotifier(HttpClient http, Uri webhook) : IAlertNotifier
{
    public async Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(notification.ToUtf8Json());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(webhook, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Webhook {webhook} answered {(int)response.StatusCode}", null, response.StatusCode);
    }
}
