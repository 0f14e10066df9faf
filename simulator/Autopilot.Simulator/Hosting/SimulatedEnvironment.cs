using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.KubeApi;
using Autopilot.Simulator.Routes;
using Autopilot.Simulator.Workloads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Autopilot.Simulator.Hosting;

/// <summary>
/// The simulated cluster on loopback: the Kubernetes API fake holding the workloads' HTTPRoutes, the workloads
/// whose traffic follows those routes (advanced by a 100 ms clock), and their /metrics endpoint. Optionally the
/// built-in alert evaluator, which notifies an Alertmanager-compatible webhook. Outlives autopilot restarts.
/// </summary>
public sealed class SimulatedEnvironment : IAsyncDisposable
{
    /// <summary>The bearer token the gateway-bridge uses against the fake API server (RBAC like its ServiceAccount).</summary>
    public const string BridgeToken = "autopilot-gateway-bridge-token";

    public static readonly KubeResourceType TrafficPolicy = KubeResourceType.Generic("gateway.kgateway.dev", "v1alpha1", "trafficpolicies", "TrafficPolicy");

    private readonly WebApplication _metrics;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly ILoggerFactory _loggers;

    private SimulatedEnvironment(KubeApiServer kube, SimulatedCluster cluster, WebApplication metrics, Uri metricsUrl, ILoggerFactory loggers)
    {
        Kube = kube;
        Cluster = cluster;
        _metrics = metrics;
        MetricsUrl = metricsUrl;
        _loggers = loggers;
        _loops.Add(Task.Run(() => ClockAsync(_stopping.Token)));
    }

    public KubeApiServer Kube { get; }

    public SimulatedCluster Cluster { get; }

    /// <summary>Base address of the simulator's HTTP endpoints; /metrics is the scrape target.</summary>
    public Uri MetricsUrl { get; }

    public AlertEvaluator? Evaluator { get; private set; }

    /// <summary>Where the evaluator sends notifications; settable so a restarted autopilot on a new port gets them.</summary>
    public RedirectableNotifier? Notifier { get; private set; }

    public static async Task<SimulatedEnvironment> StartAsync(IReadOnlyList<WorkloadSpec> workloads, ILoggerFactory loggers, CancellationToken ct = default)
    {
        var kube = await KubeApiServer.StartAsync(cancellationToken: ct);
        kube.Store.Register(TrafficPolicy);
        kube.Access.Grant(BridgeToken, "system:serviceaccount:autopilot:gateway-bridge",
            new KubeAccessRule(["get", "list", "watch", "patch"], ["gateway.networking.k8s.io"], ["httproutes"]),
            new KubeAccessRule(["get", "create", "patch", "delete"], ["gateway.kgateway.dev"], ["trafficpolicies"]));
        // kubectl sends no token to a plain-http server: let it read and patch the routes, so a user can look at what
        // the autopilot changes with the tool they know (kubectl --server <url> get httproutes -n shop).
        kube.Access.GrantAnonymous(new KubeAccessRule(["get", "list", "patch"], ["gateway.networking.k8s.io"], ["httproutes"]));
        KubeStoreRouteWeights.Seed(kube.Store, workloads);

        var cluster = new SimulatedCluster(new KubeStoreRouteWeights(kube.Store), TimeProvider.System);
        foreach (var workload in workloads) cluster.Add(workload);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapSimulator(cluster);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatedEnvironment(kube, cluster, app, new Uri(address), loggers);
    }

    /// <summary>Starts the built-in evaluator (instead of a real Prometheus and Alertmanager) notifying <paramref name="webhook"/>.</summary>
    public AlertEvaluator StartEvaluator(AlertRuleSettings settings, Uri webhook, HttpClient http)
    {
        if (Evaluator is not null) throw new InvalidOperationException("The evaluator is already running.");
        Notifier = new RedirectableNotifier(http, webhook);
        Evaluator = new AlertEvaluator(Cluster, settings, Notifier, _loggers.CreateLogger<AlertEvaluator>());
        _loops.Add(Task.Run(() => Evaluator.RunAsync(_stopping.Token)));
        return Evaluator;
    }

    private async Task ClockAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) Cluster.Advance();
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops);
        await _metrics.StopAsync();
        await _metrics.DisposeAsync();
        await Kube.DisposeAsync();
        _stopping.Dispose();
    }
}

/// <summary>A webhook notifier whose target can move (an autopilot restarted on another port).</summary>
public sealed class RedirectableNotifier(HttpClient http, Uri webhook) : IAlertNotifier
{
    public Uri Webhook { get; private set; } = webhook;

    /// <summary>The token the webhook requires, sent as a bearer token; null sends none.</summary>
    public string? BearerToken { get; private set; }

    /// <summary>Moves to an autopilot's webhook, with the token it requires.</summary>
    public void Target(Uri webhook, string? bearerToken)
    {
        Webhook = webhook;
        BearerToken = bearerToken;
    }

    public Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken) =>
        new WebhookAlertNotifier(http, Webhook, BearerToken).NotifyAsync(notification, cancellationToken);
}
