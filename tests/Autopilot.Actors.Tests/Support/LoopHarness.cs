using Autopilot.Testing;
using Autopilot.Incidents;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.Actors.Tests.Support;

/// <summary>
/// The whole loop for actor tests: IncidentActor and GuardrailActor on <see cref="ActorTestRuntime"/>, the shared
/// services from the real DI registration (AddAutopilotIncidents: shipped SOPs, SQLite index, fact sheets,
/// planner over Semantic Kernel, policies), the real gateway-bridge over the simulator's Kubernetes API, a
/// scripted model and simulated health.
/// </summary>
public sealed class LoopHarness : IAsyncDisposable
{
    public const string Policy =
        """
        version: 1
        policies:
          - name: checkout-test
            selector:
              route: shop/checkout
            allowed_actions: [shift_traffic, rollback_canary, isolate_backend]
            require_approval: [isolate_backend]
            min_stable_weight: 60
            max_step_percent: 50
            max_changes: {count: 10, window: 1h}
          - name: dry
            selector:
              namespace: dry
            allowed_actions: [shift_traffic, rollback_canary]
            dry_run: true
        """;

    public static readonly WorkloadKey Checkout = new("shop", "checkout");
    public static readonly RouteRef CheckoutRoute = new("shop", "checkout");
    public static readonly RouteRef DryRoute = new("dry", "checkout");

    private readonly string _temp;
    private readonly ServiceProvider _services;

    private LoopHarness(string temp, TestCluster cluster, HandMovedClock time, Fakes fakes, ServiceProvider services)
    {
        _temp = temp;
        Cluster = cluster;
        Time = time;
        Runtime = fakes.Runtime;
        Model = fakes.Model;
        Health = fakes.Health;
        Journal = fakes.Journal;
        Restores = fakes.Restores;
        _services = services;
        Runtime.Attach(services.GetRequiredService<IncidentServices>(), services.GetRequiredService<GuardrailServices>(), cluster.Bridge);
    }

    public TestCluster Cluster { get; }
    public HandMovedClock Time { get; }
    public ActorTestRuntime Runtime { get; }
    public FakeChatCompletion Model { get; }
    public FakeHealth Health { get; }
    public InMemoryJournal Journal { get; }
    public QueuedRestores Restores { get; }

    public IServiceProvider Services => _services;

    /// <param name="sopDirectory">SOPs to use instead of the shipped ones.</param>
    /// <param name="settings">Settings over the harness's own (e.g. notification receivers).</param>
    public static async Task<LoopHarness> StartAsync(string? sopDirectory = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var time = new HandMovedClock(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var temp = Directory.CreateTempSubdirectory("autopilot-actors-").FullName;
        Directory.CreateDirectory(Path.Combine(temp, "policies"));
        await File.WriteAllTextAsync(Path.Combine(temp, "policies", "test.yaml"), Policy);
        var cluster = await TestCluster.StartAsync(time, DryRoute);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autopilot:Incidents:SopDirectory"] = sopDirectory ?? RepoPaths.Sops,
            ["Autopilot:Incidents:SopIndexPath"] = Path.Combine(temp, "sop-index.db"),
            ["Autopilot:Guardrail:PolicyDirectory"] = Path.Combine(temp, "policies"),
            ["Autopilot:Guardrail:SigningKey"] = TestCluster.SigningKey,
            ["Autopilot:Restore:SettleDelay"] = "00:00:00",
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();

        var fakes = new Fakes(new ActorTestRuntime(), new FakeChatCompletion(), new FakeHealth(time), new InMemoryJournal(), new QueuedRestores());
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton<IChatCompletionService>(fakes.Model);
        services.AddSingleton<IWorkloadHealthSource>(fakes.Health);
        services.AddSingleton<IGuardrailGateway>(fakes.Runtime);
        services.AddSingleton<IIncidentDispatcher>(fakes.Runtime);
        services.AddSingleton<IRestoreOrchestrator>(fakes.Restores);
        services.AddSingleton<IIncidentJournal>(fakes.Journal);
        services.AddAutopilotIncidents(configuration);
        services.AddAutopilotGuardrail(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        return new LoopHarness(temp, cluster, time, fakes, provider);
    }

    private sealed record Fakes(ActorTestRuntime Runtime, FakeChatCompletion Model, FakeHealth Health, InMemoryJournal Journal, QueuedRestores Restores);

    /// <summary>The model answers with this proposal JSON whatever it is asked.</summary>
    public void ModelAnswers(string json) => Model.Answer = _ => json;

    public static Alert CanaryHighErrorRate(string fingerprint = "fp-canary-5xx", AlertStatus status = AlertStatus.Firing, string? summary = null, string workload = "checkout", string ns = "shop") =>
        new(fingerprint, status,
            new Dictionary<string, string>
            {
                ["alertname"] = "CanaryHighErrorRate", ["namespace"] = ns, ["workload"] = workload, ["version"] = "checkout-v2", ["severity"] = "critical",
            },
            new Dictionary<string, string> { ["summary"] = summary ?? "checkout-v2 5xx ratio 0.40 over 2m" },
            DateTimeOffset.Parse("2026-11-25T09:58:00Z"), null, "http://prometheus/graph");

    /// <summary>Its SOP allows isolate_backend (which the test policy sends to a human) and has an unsafe default.</summary>
    public static Alert PodCrashLooping(string fingerprint = "fp-crash") =>
        CanaryHighErrorRate(fingerprint) with
        {
            Labels = new Dictionary<string, string>
            {
                ["alertname"] = "PodCrashLooping", ["namespace"] = "shop", ["workload"] = "checkout", ["version"] = "checkout-v2", ["severity"] = "critical",
            },
        };

    public Task AlertAsync(params Alert[] alerts) => Runtime.DispatchAsync(Checkout, alerts, CancellationToken.None);

    public async Task<IncidentProcessState> StateAsync(WorkloadKey? workload = null) => await Runtime.IncidentStateAsync(workload ?? Checkout);

    /// <summary>Starts the background notification sender, which a host starts with its other hosted services.</summary>
    public Task StartNotificationSenderAsync() =>
        _services.GetServices<IHostedService>().OfType<NotificationSender>().Single().StartAsync(CancellationToken.None);

    public Task<IReadOnlyList<RestoreOutcome>> RunRestoresAsync() => Restores.RunAsync(_services.GetRequiredService<ProgressiveRestoreRunner>());

    public async Task<int> ChangesOnRouteAsync(RouteRef? route = null) => (await Cluster.Bridge.ListChangesAsync(route ?? CheckoutRoute)).Count;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Cluster.DisposeAsync();
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the index file on some platforms; the temp directory is disposable.
        }
    }
}
