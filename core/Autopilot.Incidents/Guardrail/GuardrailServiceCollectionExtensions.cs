using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Policies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Guardrail;

public static class GuardrailServiceCollectionExtensions
{
    /// <summary>
    /// What the guardrail needs besides the gateway-bridge client (which the host adds): its options, the approval
    /// signing key (checked at start-up), the policies, clock and telemetry, as <see cref="GuardrailServices"/>. Only a
    /// process that hosts the guardrail calls this; the incident loop's registrations leave the key out.
    /// </summary>
    public static IServiceCollection AddAutopilotGuardrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGuardrailPolicies(configuration);
        services.AddOptions<GuardrailKeyOptions>().Bind(configuration.GetSection(GuardrailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LoopTelemetry>();
        services.TryAddSingleton<GuardrailServices>();
        return services;
    }

    /// <summary>The guardrail's options and policies: the guardrail judges by them and the approvals API checks who may
    /// answer by them. No key.</summary>
    public static IServiceCollection AddGuardrailPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        // A host that runs both the loop and the guardrail reaches this twice; bind and validate the section once.
        if (services.Any(d => d.ServiceType == typeof(PolicySet))) return services;
        services.AddOptions<GuardrailOptions>().Bind(configuration.GetSection(GuardrailOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => PolicySet.LoadDirectory(sp.GetRequiredService<IOptions<GuardrailOptions>>().Value.PolicyDirectory));
        return services;
    }
}
