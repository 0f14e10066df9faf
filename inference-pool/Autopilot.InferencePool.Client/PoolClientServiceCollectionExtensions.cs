using Autopilot.InferencePool.Client.Http;
using Autopilot.InferencePool.Client.SemanticKernel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.InferencePool.Client;

public static class PoolClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IInferencePool"/> over HTTP and <see cref="IChatCompletionService"/> over it.
    /// <paramref name="baseAddress"/> is the pool itself (http://inference-pool:8080/) or the Dapr invoke URL
    /// (http://localhost:3500/v1.0/invoke/inference-pool/method/); <paramref name="callerId"/> owns the leases.
    /// </summary>
    public static IServiceCollection AddInferencePoolClient(this IServiceCollection services, Uri baseAddress, string callerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callerId);
        if (!baseAddress.IsAbsoluteUri)
            throw new ArgumentException($"The inference pool address '{baseAddress}' must be absolute, e.g. http://inference-pool:8080/.", nameof(baseAddress));
        var normalized = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        services.AddHttpClient(nameof(HttpInferencePool), http =>
        {
            http.BaseAddress = normalized;
            // The pool enforces its own per-request deadline; this only guards against a hung connection.
            http.Timeout = TimeSpan.FromMinutes(5);
        });
        services.AddSingleton<IInferencePool>(sp => new HttpInferencePool(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HttpInferencePool)), callerId));
        services.AddSingleton<IChatCompletionService>(sp => new InferencePoolChatCompletionService(sp.GetRequiredService<IInferencePool>()));
        return services;
    }
}
