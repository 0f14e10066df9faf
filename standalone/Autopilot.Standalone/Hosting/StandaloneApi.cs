using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Standalone.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Standalone.Hosting;

/// <summary>
/// The HTTP contract of the actors app, served by the stand-alone host: POST /alertmanager (an Alertmanager v4
/// webhook; 400 problem-details naming the field for a bad payload, nothing published), GET /incidents and
/// GET /incidents/{id} (the audit trail).
/// </summary>
public static class StandaloneApi
{
    public const string BearerTokenKey = "Autopilot:Webhook:BearerToken";

    public static IEndpointRouteBuilder MapStandaloneApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/alertmanager", async (HttpRequest request, InMemoryTopic<byte[]> topic, IConfiguration configuration, CancellationToken ct) =>
        {
            if (configuration[BearerTokenKey] is { Length: > 0 } token && request.Headers.Authorization != $"Bearer {token}")
                return Results.Problem("A valid bearer token is required (Authorization: Bearer ...).", statusCode: StatusCodes.Status401Unauthorized);
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            var body = buffer.ToArray();
            var parsed = AlertPayloadParser.ParseWebhook(body);
            if (!parsed.IsSuccess)
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { [parsed.Error!.Field] = [parsed.Error.Message] },
                    title: "The body is not a valid Alertmanager webhook payload.");
            await topic.PublishAsync(body, ct);
            return Results.Ok(new { accepted = parsed.Value!.Alerts.Count, topic = AutopilotHost.AlertsTopic });
        });

        endpoints.MapGet("/incidents", async (IIncidentJournal journal, string? workload, bool? open, int? limit, CancellationToken ct) =>
            Results.Ok(await journal.ListAsync(new IncidentQuery(workload, open ?? false, limit ?? 100), ct)));

        endpoints.MapGet("/incidents/{id}", async (string id, IIncidentJournal journal, CancellationToken ct) =>
            await journal.GetAsync(id, ct) is { } record ? Results.Json(record, Actors.StateDirectory.Json) : Results.Problem($"No incident '{id}'.", statusCode: 404));
        return endpoints;
    }
}
