using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Autopilot.Api.RejectedAlerts;
using Autopilot.Hosting.Monitoring;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Api.Alerts;

/// <summary>POST /alertmanager: Alertmanager's webhook, authenticated, size-checked while it is read (413 problem, the
/// rest of the body never read), validated and published. Each alert must name a valid workload (namespace and workload
/// labels that are Kubernetes names); one that does not is rejected: named in the response (index, field, reason),
/// counted (<c>autopilot.alerts.rejected</c>) and kept for GET /alerts/rejected, and left out of what is published.
/// Answers 202 {published, rejected} when at least one alert (or none at all) was accepted; 400 problem details with
/// the same <c>rejected</c> list when every alert was rejected; 400 naming the field for a malformed payload. Nothing
/// is published from a refused payload.</summary>
public static class AlertWebhookEndpoints
{
    public static IEndpointRouteBuilder MapAlertWebhook(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/alertmanager", ReceiveAsync).ServedOnMonitoringPort(); // Alertmanager lives in the monitoring namespace
        return endpoints;
    }

    private static async Task<IResult> ReceiveAsync(
        HttpRequest request, IAlertPublisher publisher, WorkloadKeyResolver resolver, IRejectedAlertStore rejectedStore,
        RejectedAlertMetrics metrics, TimeProvider clock, IOptions<AlertsOptions> options, ILoggerFactory loggers, CancellationToken ct)
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

        var batch = parsed.Value!;
        var logger = loggers.CreateLogger("Autopilot.Alerts");
        var rejected = Reject(batch, resolver, clock.GetUtcNow());
        if (rejected.Count > 0)
        {
            foreach (var record in rejected) metrics.Rejected.Add(1, new KeyValuePair<string, object?>("label", LabelOf(record.Field)));
            await rejectedStore.AddAsync(rejected, ct);
            logger.LogWarning("Rejected {Count} of {Total} alert(s) from receiver {Receiver}: they name no valid workload (e.g. {Field}: {Reason})",
                rejected.Count, batch.Alerts.Count, batch.Receiver, rejected[0].Field, rejected[0].Reason);
        }
        var report = rejected.Select(r => new RejectedAlertAnswer(r.Index, r.Field, r.Reason)).ToList();
        var accepted = batch.Alerts.Count - rejected.Count;
        if (accepted == 0 && rejected.Count > 0)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No alert names a valid workload",
                detail: $"All {rejected.Count} alert(s) were rejected; see 'rejected' (also kept at GET /alerts/rejected).",
                extensions: new Dictionary<string, object?> { ["field"] = rejected[0].Field, ["rejected"] = report });

        // The payload goes out as it came in (subscribers parse the same bytes with the same parser), less the rejected alerts.
        var published = rejected.Count == 0 ? body : WithoutAlerts(body, rejected.Select(r => r.Index).ToHashSet());
        await publisher.PublishAsync(published, ct);
        logger.LogInformation("Published {Count} alert(s) from receiver {Receiver} to {Topic}", accepted, batch.Receiver, settings.Topic);
        return Results.Accepted(value: new WebhookAnswer(accepted, report));
    }

    /// <summary>What a 202 says: how many alerts were published, and the ones rejected (empty when none).</summary>
    public sealed record WebhookAnswer(int Published, IReadOnlyList<RejectedAlertAnswer> Rejected);

    public sealed record RejectedAlertAnswer(int Index, string Field, string Reason);

    private static List<RejectedAlertRecord> Reject(AlertBatch batch, WorkloadKeyResolver resolver, DateTimeOffset now)
    {
        var rejected = new List<RejectedAlertRecord>();
        for (var i = 0; i < batch.Alerts.Count; i++)
        {
            var alert = batch.Alerts[i];
            if (resolver.TryResolve(alert, out _, out var reason, out var label)) continue;
            rejected.Add(new RejectedAlertRecord(now, i, $"alerts[{i}].labels.{label}", reason, alert.Name, alert.Fingerprint, alert.Labels,
                batch.Receiver, batch.GroupKey));
        }
        return rejected;
    }

    private static string LabelOf(string field) => field[(field.LastIndexOf('.') + 1)..];

    /// <summary>The same bytes with the alerts at <paramref name="indexes"/> cut out of the top-level "alerts" array;
    /// nothing else is re-encoded (a property name the parser ignored may hold anything a reader accepts).</summary>
    private static byte[] WithoutAlerts(byte[] body, HashSet<int> indexes)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = AlertPayloadLimits.Default.MaxDepth });
        var kept = new List<Range>();
        int open = -1, close = -1;
        reader.Read(); // the root object, as the parser has checked
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isAlerts = reader.ValueTextEquals("alerts"u8);
            reader.Read();
            if (!isAlerts || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }
            open = (int)reader.TokenStartIndex;
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (!indexes.Contains(index++)) kept.Add(start..(int)reader.BytesConsumed);
            }
            close = (int)reader.TokenStartIndex;
            break;
        }
        using var output = new MemoryStream(body.Length);
        output.Write(body, 0, open + 1);
        for (var i = 0; i < kept.Count; i++)
        {
            if (i > 0) output.WriteByte((byte)',');
            output.Write(body.AsSpan(kept[i]));
        }
        output.Write(body, close, body.Length - close);
        return output.ToArray();
    }

    private static Dictionary<string, object?> Field(string field) => new() { ["field"] = field };

    private static bool Authorized(HttpRequest request, string? token)
    {
        if (token is null) return true; // only with AllowAnonymousWebhook: AlertsOptions refuses to start otherwise
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}

/// <summary>Reads an alert payload no further than the parser would accept: a declared length over the limit is
/// refused before a byte is read, and an undeclared (chunked) one as soon as it passes the limit, so memory per request
/// stays under the limit however large the body.</summary>
public static class AlertBody
{
    /// <summary>The body, or null when it is larger than <see cref="AlertPayloadLimits.MaxBodyBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = AlertPayloadLimits.Default.MaxBodyBytes;
        if (request.ContentLength > limit) return null;
        // The server stops the body at the limit too (Kestrel's own default is 30 MB); TestServer has no such feature.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit + 1L;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 16 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(0, 16 * 1024), ct)) > 0)
            {
                if (buffer.Length + read > limit) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}
