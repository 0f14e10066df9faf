using System.Text.Json;
using System.Text.Json.Serialization;
using Autopilot.Api.Alerts;
using Autopilot.Api.DeadLetters;
using Autopilot.Api.Guardrail;
using Autopilot.Api.Identity;
using Autopilot.Api.Incidents;
using Autopilot.Api.RejectedAlerts;
using Autopilot.Api.WebConsole;
using Autopilot.Incidents.Ports;
using Autopilot.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Autopilot.Api;

/// <summary>
/// The incident loop's HTTP surface, the same in both runtimes: POST /alertmanager, GET /incidents[/{id}],
/// POST /guardrail/{ns}/{route}/approvals/{changeId}, GET /dead-letters, GET /alerts/rejected, the read-only MCP tools at /mcp and the operator console at /console. The host
/// registers the ports: <see cref="Incidents.Ports.IAlertPublisher"/>, <see cref="Incidents.Ports.IIncidentJournal"/>,
/// <see cref="Incidents.Ports.IDeadLetterStore"/>, optionally <see cref="Incidents.Ports.IRejectedAlertStore"/> (default: in memory),
/// <see cref="Incidents.Ports.IGuardrailGateway"/> (and what the MCP tools read).
/// </summary>
public static class ApiServiceCollectionExtensions
{
    public static IServiceCollection AddAutopilotApi(this IServiceCollection services, IConfiguration configuration)
    {
        // The API writes the same JSON as the state and the journal: snake_case enums, NaN for "no data".
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            // A repeated key in a request body is a 400, as in the webhook, never "last wins".
            json.SerializerOptions.AllowDuplicateProperties = false;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeadLetterOptions>().Bind(configuration.GetSection(DeadLetterOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DeadLetterMetrics>();
        services.AddSingleton<RejectedAlertMetrics>();
        // Both hosts keep rejected alerts in memory unless they register a store of their own.
        services.TryAddSingleton<IRejectedAlertStore>(sp => new InMemoryRejectedAlertStore(
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value.MaxRejectedKept, sp.GetRequiredService<RejectedAlertMetrics>()));
        services.AddAutopilotIdentity(configuration);
        services.AddSingleton<ChangeDesk>();
        services.AddOperatorConsole(configuration);
        services.AddAutopilotMcp(configuration);
        return services;
    }

    /// <summary>Maps the surface on the app (not only its routes): the console's forms need the antiforgery middleware,
    /// placed here after the routing and authentication the app adds, so neither host has to remember it.</summary>
    public static WebApplication MapAutopilotApi(this WebApplication endpoints)
    {
        endpoints.UseAntiforgery();
        endpoints.MapAlertWebhook();
        endpoints.MapIncidentEndpoints();
        endpoints.MapApprovalEndpoints();
        endpoints.MapDeadLetterEndpoints();
        endpoints.MapRejectedAlertEndpoints();
        endpoints.MapAutopilotMcp();
        endpoints.MapOperatorConsole();
        return endpoints;
    }
}
