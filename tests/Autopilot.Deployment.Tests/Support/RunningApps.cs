extern alias actors;
extern alias bridge;
extern alias pool;
using Autopilot.Testing;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>One endpoint an app maps: verb, route template, and the Dapr topic it subscribes to (if any).</summary>
public sealed record AppEndpoint(string Verb, string Route, string? PubSub, string? Topic, string? DeadLetterTopic)
{
    public override string ToString() => $"{Verb} {Route}";
}

/// <summary>
/// The three apps built as their Program builds them (no sidecar, no cluster, the generated model), asked what they
/// serve through the running app's EndpointDataSource rather than by reading source. Each is built once per test run.
/// </summary>
public static class RunningApps
{
    /// <summary>What every app maps through the service defaults; the checks are about each app's own API.</summary>
    private static readonly string[] DefaultRoutes = ["/healthz", "/readyz", "/metrics"];

    private static readonly string Scratch = CreateScratch();
    private static readonly Lazy<App<actors::Program>> Actors = new(() => new(AppSettings.Actors(Scratch)));

    private static readonly Lazy<App<bridge::Program>> Bridge = new(() => new(AppSettings.GatewayBridge()));

    private static readonly Lazy<App<pool::Program>> Pool = new(() => new(AppSettings.InferencePool(Scratch)));

    public static IReadOnlyList<AppEndpoint> ActorsEndpoints => EndpointsOf(Actors.Value);

    public static IReadOnlyList<AppEndpoint> BridgeEndpoints => EndpointsOf(Bridge.Value);

    public static IReadOnlyList<AppEndpoint> PoolEndpoints => EndpointsOf(Pool.Value);

    /// <summary>The actor types the actors app registers with the Dapr actor runtime.</summary>
    public static IReadOnlyList<string> ActorTypes =>
        [.. Actors.Value.Services.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value.Actors.Select(a => a.Type.ActorTypeName)];

    private static List<AppEndpoint> EndpointsOf<TEntry>(App<TEntry> app) where TEntry : class =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !DefaultRoutes.Contains(e.RoutePattern.RawText))
            .SelectMany(e =>
            {
                var topic = e.Metadata.GetMetadata<Dapr.ITopicMetadata>();
                var deadLetter = e.Metadata.GetMetadata<Dapr.IDeadLetterTopicMetadata>();
                var verbs = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
                return verbs.Select(verb => new AppEndpoint(verb, "/" + e.RoutePattern.RawText!.TrimStart('/'), topic?.PubsubName, topic?.Name,
                    deadLetter?.DeadLetterTopic));
            })
            .Distinct()];

    /// <summary>The SOP index and the generated model live here until the test run ends.</summary>
    private static string CreateScratch()
    {
        var path = Directory.CreateTempSubdirectory("autopilot-deployment-apps-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
                // An app may still hold a file open while the process ends; it is a temp folder.
            }
        };
        return path;
    }

    /// <summary>Each app's name, an HTTP client to it (for /metrics), and the services that own its instruments, by
    /// the repo's naming (a class named *Telemetry or *Metrics registered with the app), resolved so that their
    /// instruments exist.</summary>
    public static IReadOnlyList<(string App, HttpClient Client, IReadOnlyList<object> InstrumentOwners)> Scrapeable() =>
    [
        ("autopilot-actors", Actors.Value.CreateClient(), Actors.Value.InstrumentOwners()),
        ("gateway-bridge", Bridge.Value.CreateClient(), Bridge.Value.InstrumentOwners()),
        ("inference-pool", Pool.Value.CreateClient(), Pool.Value.InstrumentOwners()),
    ];

    private sealed class App<TEntry>(Dictionary<string, string?> settings) : WebApplicationFactory<TEntry> where TEntry : class
    {
        private IReadOnlyList<Type> _registered = [];

        public IReadOnlyList<object> InstrumentOwners() =>
        [
            .. _registered.Where(t => t.Namespace?.StartsWith("Autopilot", StringComparison.Ordinal) == true
                                      && (t.Name.EndsWith("Telemetry", StringComparison.Ordinal) || t.Name.EndsWith("Metrics", StringComparison.Ordinal)))
                .Distinct()
                .Select(t => Services.GetRequiredService(t)),
        ];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.ClearProviders());
            builder.ConfigureTestServices(services =>
                _registered = [.. services.Where(d => d.Lifetime == ServiceLifetime.Singleton && !d.ServiceType.ContainsGenericParameters).Select(d => d.ServiceType)]);
        }
    }
}
