using System.Net.Http.Headers;

namespace Autopilot.Simulator.Alerting;

/// <summary>Where the built-in evaluator delivers notifications: the stand-alone webhook, or anything else that takes them.</summary>
public interface IAlertNotifier
{
    Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken);
}

/// <summary>Posts notifications to an Alertmanager-compatible webhook (the actors app's or the stand-alone POST /alertmanager),
/// with "Authorization: Bearer &lt;token&gt;" when given one, as Alertmanager's http_config.authorization sends it.</summary>
public sealed class WebhookAlertNotifier(HttpClient http, Uri webhook, string? bearerToken = null) : IAlertNotifier
{
    public async Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook) { Content = new ByteArrayContent(notification.ToUtf8Json()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (bearerToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"Webhook {webhook} answered {(int)response.StatusCode}", null, response.StatusCode);
    }
}
