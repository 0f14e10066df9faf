using Autopilot.InferencePool.Client.Http;
using Autopilot.InferencePool.Client.SemanticKernel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.InferencePool.Client;

public static class PoolClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IInferencePool"/> over HTTP and <see cref="IChatCompletionService"/> over it.
    /// <paramref name="baseAddress"/> gives the pool itself (http://inference-pool:8080/) or the Dapr invoke URL
    /// (http://localhost:3500/v1.0/invoke/inference-pool/method/), read from the container (the host's validated
    /// options) when the client is made; <paramref name="callerId"/> owns the leases.
    /// </summary>
    public static IServiceCollection AddInferencePoolClient(this IServiceCollection services, Func<IServiceProvider, Uri> baseAddress, string callerId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(callerId);
        services.AddHttpClient(nameof(HttpInferencePool), (sp, http) =>
        {
            var address = baseAddress(sp);
            if (!address.IsAbsoluteUri)
                throw new InvalidOperationException($"The inference pool address '{address}' must be absolute, e.g. http://inference-pool:8080/.");
            http.BaseAddress = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
            // The pool enforces its own per-request deadline; this only guards against a hung connection.
            http.Timeout = TimeSpan.FromMinutes(5);
            // A sidecar started with an API token (dapr.io/api-token-secret) refuses calls without it.
            if (sp.GetService<IConfiguration>()?["DAPR_API_TOKEN"] is { Length: > 0 } daprToken)
                http.DefaultRequestHeaders.Add("dapr-api-token", daprToken);
        });
        services.AddSingleton<IInferencePool>(sp => new HttpInferencePool(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HttpInferencePool)), callerId));
        services.AddSingleton<IChatCompletionService>(sp => new InferencePoolChatCompletionService(sp.GetRequiredService<IInferencePool>()));
        return services;
    }
}
