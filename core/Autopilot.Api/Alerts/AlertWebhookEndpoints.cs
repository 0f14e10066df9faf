using System.Security.Cryptography;
using System.Text;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Api.Alerts;

/// <summary>POST /alertmanager: Alertmanager's webhook, authenticated, size-checked, validated and published unchanged
/// (202 {published}); a bad payload is a 400 problem naming the field and nothing is published.</summary>
public static class AlertWebhookEndpoints
{
    public static IEndpointRouteBuilder MapAlertWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/alertmanager", ReceiveAsync);
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(
        HttpRequest request, IAlertPublisher publisher, IOptions<AlertsOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        var settings = options.Value;
        if (!Authorized(request, settings.BearerToken))
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong bearer token",
                detail: $"This endpoint requires 'Authorization: Bearer <token>' (configuration {AlertsOptions.Section}:BearerToken).");

        var body = await AlertBody.ReadAsync(request, ct);
        if (body is null)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The body exceeds {AlertPayloadLimits.Default.MaxBodyBytes} bytes.", extensions: Field("$"));
        var parsed = AlertPayloadParser.ParseWebhook(body);
        if (!parsed.IsSuccess)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Alertmanager payload",
                detail: $"{parsed.Error!.Field}: {parsed.Error.Message}", extensions: Field(parsed.Error.Field));

        // The payload goes out as it came in: subscribers parse the same bytes with the same parser.
        await publisher.PublishAsync(body, ct);
        loggers.CreateLogger("Autopilot.Alerts").LogInformation("Published {Count} alert(s) from receiver {Receiver} to {Topic}",
            parsed.Value!.Alerts.Count, parsed.Value.Receiver, settings.Topic);
        return Results.Accepted(value: new { published = parsed.Value.Alerts.Count });
    }

    private static Dictionary<string, object?> Field(string field) => new() { ["field"] = field };

    private static bool Authorized(HttpRequest request, string? token)
    {
        if (string.IsNullOrEmpty(token)) return true;
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}

/// <summary>Reads an alert payload no further than the parser would accept.</summary>
public static class AlertBody
{
    /// <summary>The body, or null when it is larger than <see cref="AlertPayloadLimits.MaxBodyBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = AlertPayloadLimits.Default.MaxBodyBytes;
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
