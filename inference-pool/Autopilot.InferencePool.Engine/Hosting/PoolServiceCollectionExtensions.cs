using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Client.SemanticKernel;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.InferencePool.Engine.Hosting;

public static class PoolServiceCollectionExtensions
{
    /// <summary>
    /// The engine as a hosted service: options from section "InferencePool" validated at start-up, the model loaded in
    /// the background, a readiness check tagged "ready", and the "Autopilot.InferencePool" meter.
    /// </summary>
    public static IServiceCollection AddInferencePoolEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PoolOptions>().Bind(configuration.GetSection(PoolOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new PoolMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<PoolRuntime>();
        services.AddHostedService(sp => sp.GetRequiredService<PoolRuntime>());
        services.AddHealthChecks().AddCheck<PoolRuntime>("model", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// <see cref="IInferencePool"/> and Semantic Kernel's <see cref="IChatCompletionService"/> straight onto the
    /// in-process engine (stand-alone mode); calls wait for the model to finish loading.
    /// </summary>
    public static IServiceCollection AddInProcessInferencePool(this IServiceCollection services, string callerId)
    {
        services.TryAddSingleton<IInferencePool>(sp => new WhenReadyInferencePool(sp.GetRequiredService<PoolRuntime>(), callerId));
        services.TryAddSingleton<IChatCompletionService>(sp => new InferencePoolChatCompletionService(sp.GetRequiredService<IInferencePool>()));
        return services;
    }

    private sealed class WhenReadyInferencePool(PoolRuntime runtime, string callerId) : IInferencePool
    {
        private async Task<InProcessInferencePool> PoolAsync(CancellationToken cancellationToken) =>
            new(await runtime.Ready.WaitAsync(cancellationToken), callerId);

        public async Task<SessionLease> LeaseAsync(TimeSpan? maxWait = null, CancellationToken cancellationToken = default) =>
            await (await PoolAsync(cancellationToken)).LeaseAsync(maxWait, cancellationToken);

        public async Task<CompletionResult> CompleteAsync(string leaseId, CompletionRequest request, CancellationToken cancellationToken = default) =>
            await (await PoolAsync(cancellationToken)).CompleteAsync(leaseId, request, cancellationToken);

        public async Task ReleaseAsync(string leaseId, CancellationToken cancellationToken = default) =>
            await (await PoolAsync(cancellationToken)).ReleaseAsync(leaseId, cancellationToken);
    }
}
