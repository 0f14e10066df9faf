using Autopilot.Incidents.Alerts;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;

namespace Autopilot.Incidents;

public static class IncidentsServiceCollectionExtensions
{
    /// <summary>
    /// Everything the Dapr host and the stand-alone host share: options (validated at start-up), the domain
    /// services (policies, SOP index, fact sheets, label mapping), the planner over Semantic Kernel, the shared
    /// services of IncidentProcess and GuardrailProcess, the alert fan-out, the restore steps and the Prometheus
    /// health source. The host adds the port adapters (IGuardrailGateway, IIncidentDispatcher,
    /// IRestoreOrchestrator, IIncidentJournal) and an IChatCompletionService (the inference pool); a host that runs
    /// the guardrail adds AddAutopilotGuardrail (the signing key) and the gateway-bridge client. Registrations made
    /// before this call win (TryAdd).
    /// </summary>
    public static IServiceCollection AddAutopilotIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IncidentOptions>().Bind(configuration.GetSection(IncidentOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PlanningOptions>().Bind(configuration.GetSection(PlanningOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RestoreOptions>().Bind(configuration.GetSection(RestoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddGuardrailPolicies(configuration);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopTelemetry>();
        services.TryAddSingleton<ITokenCounter>(_ => TiktokenTokenCounter.Instance);
        services.TryAddSingleton(sp => new FactSheetBuilder(sp.GetRequiredService<ITokenCounter>(), sp.GetRequiredService<IOptions<IncidentOptions>>().Value.FactSheetTokenBudget));
        services.TryAddSingleton<ISopRetriever>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IncidentOptions>>().Value;
            var indexDirectory = Path.GetDirectoryName(Path.GetFullPath(options.SopIndexPath));
            if (indexDirectory is not null) Directory.CreateDirectory(indexDirectory);
            return SqliteSopIndex.Open(options.SopDirectory, options.SopIndexPath, sp.GetRequiredService<ILoggerFactory>().CreateLogger<SqliteSopIndex>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IncidentOptions>>().Value;
            return new WorkloadKeyResolver(new WorkloadLabelMapping { NamespaceLabels = [options.NamespaceLabel], WorkloadLabels = options.WorkloadLabelsOrDefault });
        });
        // The planner's Kernel resolves the chat service (the inference pool's) and logging from this container.
        services.AddKernel();
        services.TryAddSingleton(sp => new HealthJudge(sp.GetRequiredService<IOptions<HealthOptions>>().Value));
        services.AddHttpClient<PrometheusHealthSource>();
        services.TryAddSingleton<IWorkloadHealthSource>(sp => sp.GetRequiredService<PrometheusHealthSource>());
        services.TryAddSingleton<ProposalPlanner>();
        services.TryAddSingleton<IncidentServices>();
        services.TryAddSingleton<AlertFanOut>();
        services.TryAddSingleton<RestoreActivities>();
        services.TryAddSingleton<ProgressiveRestoreRunner>();
        services.AddIncidentNotifications(configuration);
        services.AddHostedService<IncidentsStartupCheck>();
        return services;
    }

    /// <summary>Loads policies and the SOP index at start-up so a bad file stops the host with its error,
    /// instead of surfacing with the first incident.</summary>
    private sealed class IncidentsStartupCheck(IServiceProvider services, ILogger<IncidentsStartupCheck> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var policies = services.GetRequiredService<PolicySet>();
            var sops = services.GetRequiredService<ISopRetriever>();
            logger.LogInformation("Loaded {PolicyCount} policies and the SOP index ({Retriever})", policies.Policies.Count, sops.GetType().Name);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
