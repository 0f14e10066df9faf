using Autopilot.Actors.Alerts;
using Autopilot.Actors.DaprAdapters;
using Autopilot.Actors.DeadLetters;
using Autopilot.Actors.Guardrail;
using Autopilot.Actors.Incidents;
using Autopilot.Actors.Restore;
using Autopilot.Api;
using Autopilot.Api.DeadLetters;
using Autopilot.GatewayBridge.Client;
using Autopilot.Hosting;
using Autopilot.Hosting.Sidecar;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents;
using Autopilot.Incidents.Ports;
using Autopilot.InferencePool.Client;
using Autopilot.Remediation.Incidents;
using Dapr.Workflow;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors;

/// <summary>The Dapr host of the incident loop (actor types, the alerts subscription, the restore workflow, the shared
/// HTTP surface over the Dapr adapters) and of the guardrail's actors: both in one app (role All), or each in its own
/// app from the same image (roles Incidents and Guardrail; docs/security.md).</summary>
public static class ActorsHost
{
    public const string AppId = "autopilot-actors";

    /// <summary>The guardrail's own Dapr app when the loop is split (<see cref="ActorsRole.Guardrail"/>).</summary>
    public const string GuardrailAppId = "autopilot-guardrail";

    /// <summary>The approval signing key, shared with gateway-bridge through the secret store; loaded only by a
    /// process that hosts the guardrail.</summary>
    public static readonly DaprSecret SigningKey = new(GuardrailOptions.Section + ":SigningKey", GuardrailOptions.Section + ":SigningKeySecretStore",
        GuardrailOptions.Section + ":SigningKeySecretName", DaprSecret.ApprovalSigningKey);

    /// <summary>For the guardrail, the signing key from the secret store; the sidecar's app API token; then every
    /// service of the role this process has (<see cref="ActorsRole"/>).</summary>
    public static async Task AddAutopilotActorsAsync(this WebApplicationBuilder builder)
    {
        if (ActorsHostOptions.RoleFrom(builder.Configuration).HostsGuardrail()) await builder.LoadSecretAsync(SigningKey);
        builder.AddSidecarAuthentication();
        builder.Services.AddAutopilotActors(builder.Configuration);
    }

    public static IServiceCollection AddAutopilotActors(this IServiceCollection services, IConfiguration configuration)
    {
        var role = ActorsHostOptions.RoleFrom(configuration);
        services.AddDaprClient(client => client.UseJsonSerializationOptions(IncidentStateJson.Options));
        services.AddActors(options =>
        {
            if (role.HostsIncidents()) options.Actors.RegisterActor<IncidentActor>();
            if (role.HostsGuardrail()) options.Actors.RegisterActor<GuardrailActor>();
            options.JsonSerializerOptions = IncidentStateJson.Options;
            options.ActorIdleTimeout = TimeSpan.FromMinutes(30);
            // A model call may take a while; Dapr must not reassign the actor under a running turn.
            options.DrainOngoingCallTimeout = TimeSpan.FromSeconds(60);
            options.ReentrancyConfig = new Dapr.Actors.ActorReentrancyConfig { Enabled = false };
        });
        if (role.HostsGuardrail())
        {
            services.AddGatewayBridgeHttpClient(configuration);
            services.AddAutopilotGuardrail(configuration);
        }
        if (role.HostsIncidents()) services.AddIncidentLoop(configuration);
        return services;
    }

    /// <summary>The incident loop on Dapr: the shared HTTP surface, the restore workflow, the adapters of the ports
    /// (the guardrail reached through its actor, wherever placement hosts it) and the pool client.</summary>
    private static void AddIncidentLoop(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAutopilotApi(configuration);
        services.AddDaprWorkflow(options =>
        {
            options.RegisterWorkflow<ProgressiveRestoreWorkflow>();
            options.RegisterActivity<PlanRestoreActivity>();
            options.RegisterActivity<ApplyRestoreStepActivity>();
            options.RegisterActivity<CheckRestoreHealthActivity>();
            options.RegisterActivity<CompensateRestoreActivity>();
            options.RegisterActivity<ReportRestoreActivity>();
        });

        services.AddSingleton<IAlertPublisher, DaprAlertPublisher>();
        services.AddSingleton<ActorProxies>();
        services.AddSingleton<ActorGuardrailGateway>();
        services.AddSingleton<IGuardrailGateway>(sp => sp.GetRequiredService<ActorGuardrailGateway>());
        services.AddSingleton<IGuardrailReader>(sp => sp.GetRequiredService<IGuardrailGateway>());
        services.AddSingleton<IIncidentDispatcher, ActorIncidentDispatcher>();
        services.AddSingleton<IRestoreOrchestrator, DaprRestoreOrchestrator>();
        services.AddOptions<JournalOptions>().Bind(configuration.GetSection(JournalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IIncidentJournal>(sp => new DaprIncidentJournal(
            sp.GetRequiredService<global::Dapr.Client.DaprClient>(), sp.GetRequiredService<IOptions<JournalOptions>>().Value.StateStore));
        services.AddSingleton<IDeadLetterStore>(sp => new DaprDeadLetterStore(sp.GetRequiredService<global::Dapr.Client.DaprClient>(),
            sp.GetRequiredService<IOptions<JournalOptions>>().Value.StateStore, sp.GetRequiredService<IOptions<DeadLetterOptions>>().Value.MaxKept,
            sp.GetRequiredService<DeadLetterMetrics>()));

        services.AddOptions<PoolClientOptions>().Bind(configuration.GetSection(PoolClientOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddInferencePoolClient(sp => sp.GetRequiredService<IOptions<PoolClientOptions>>().Value.Address(configuration["DAPR_HTTP_PORT"]), AppId);
        services.AddAutopilotIncidents(configuration);
    }

    /// <summary>The actor runtime's routes for either role; the incident loop's subscriptions and HTTP surface only
    /// where it runs (a guardrail-only app serves nothing but its actors, the probes and /metrics).</summary>
    public static WebApplication MapAutopilotActors(this WebApplication app)
    {
        // What only the sidecar calls needs its app API token: actor calls, reminders, timers and the topic deliveries.
        app.MapActorsHandlers().RequireSidecar();
        if (!ActorsHostOptions.RoleFrom(app.Configuration).HostsIncidents()) return app;
        app.MapSubscribeHandler().RequireSidecar();
        app.MapAlertSubscription();
        app.MapDeadLetterSubscription();
        app.MapAutopilotApi();
        return app;
    }
}
