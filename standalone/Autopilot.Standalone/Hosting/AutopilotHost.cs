using System.Security.Cryptography;
using Autopilot.Api;
using Autopilot.Api.Alerts;
using Autopilot.Api.DeadLetters;
using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core;
using Autopilot.Hosting;
using Autopilot.Incidents;
using Autopilot.Incidents.Alerts;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.InferencePool.Engine.Hosting;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Standalone.Adapters;
using Autopilot.Standalone.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Standalone.Hosting;

/// <summary>
/// The whole autopilot in one process: the same HTTP surface as the actors app (Autopilot.Api), the IncidentProcess and
/// GuardrailProcess logic behind the keyed executor, durable reminders and file state, the in-memory "alerts"
/// topic, the gateway-bridge service called directly, and the inference pool engine in-process. Disposing it is a
/// clean stop; starting another over the same state directory resumes open incidents, reminders and restores.
/// </summary>
public sealed class AutopilotHost : IAsyncDisposable
{
    public const string AppId = "autopilot-standalone";
    public const string AlertsTopic = "alerts";

    /// <summary>The stand-alone timings and pool size, next to the program (copied from the project).</summary>
    public const string SettingsFile = "appsettings.Standalone.json";

    private readonly WebApplication _app;

    private AutopilotHost(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Point Alertmanager's webhook_configs here (same contract as the actors app).</summary>
    public Uri WebhookUrl => new(Url, "/alertmanager");

    /// <summary>The file in the state directory holding the webhook's bearer token (Alertmanager's credentials_file).</summary>
    public const string WebhookTokenFile = "webhook-token";

    /// <summary>What POST /alertmanager requires as "Authorization: Bearer …".</summary>
    public string WebhookToken => Services.GetRequiredService<IOptions<AlertsOptions>>().Value.BearerToken!;

    /// <summary>The operator console in a browser (Autopilot.Api's WebConsole).</summary>
    public Uri ConsoleUrl => new(Url, Autopilot.Api.WebConsole.ConsoleText.IncidentsPath);

    public IServiceProvider Services => _app.Services;

    public FileIncidentJournal Journal => Services.GetRequiredService<FileIncidentJournal>();

    public InMemoryTopic<byte[]> Topic => Services.GetRequiredService<InMemoryTopic<byte[]>>();

    /// <summary>The in-process bridge, for tests that check what reached the cluster. Product code reads routes through
    /// the guardrail (<see cref="Guardrails"/>); GuardrailIsolationTests allows only this host's registration.</summary>
    public IGatewayBridgeClient Bridge => Services.GetRequiredService<IGatewayBridgeClient>();

    public InProcessGuardrailGateway Guardrails => Services.GetRequiredService<InProcessGuardrailGateway>();

    public static async Task<AutopilotHost> StartAsync(StandaloneSettings settings, ILoggerProvider? logs = null, CancellationToken ct = default)
    {
        var state = new StateDirectory(settings.StateDirectory, settings.FlushStateToDisk);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(new NonOwningLoggerProvider(logs));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, settings.Port));
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, SettingsFile), optional: false);
        builder.Configuration.AddInMemoryCollection(Defaults(settings, state));
        builder.Configuration.AddInMemoryCollection(settings.Configuration);
        builder.AddServiceDefaults(AppId);

        var services = builder.Services;
        services.AddSingleton(state);
        services.AddSingleton<KeyedExecutor>();
        services.AddSingleton<DurableReminders>();
        services.AddOptions<StateOptions>().Bind(builder.Configuration.GetSection(StateOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StateQuarantineCheck>();
        services.AddHealthChecks().AddCheck<StateQuarantineCheck>(StateQuarantineCheck.Name, tags: ["ready"]);
        services.AddSingleton(sp => new FileIncidentJournal(state, sp.GetRequiredService<IOptions<StateOptions>>().Value.ClosedIncidentsKept));
        services.AddSingleton<IDeadLetterStore>(sp => new FileDeadLetterStore(state,
            sp.GetRequiredService<IOptions<DeadLetterOptions>>().Value.MaxKept, sp.GetRequiredService<DeadLetterMetrics>()));
        services.AddSingleton<IIncidentJournal>(sp => sp.GetRequiredService<FileIncidentJournal>());
        services.AddSingleton<InProcessIncidentDispatcher>();
        services.AddSingleton<IIncidentDispatcher>(sp => sp.GetRequiredService<InProcessIncidentDispatcher>());
        services.AddSingleton<InProcessGuardrailGateway>();
        services.AddSingleton<IGuardrailGateway>(sp => sp.GetRequiredService<InProcessGuardrailGateway>());
        services.AddSingleton<IGuardrailReader>(sp => sp.GetRequiredService<IGuardrailGateway>());
        services.AddSingleton<InProcessRestoreOrchestrator>();
        services.AddSingleton<IRestoreOrchestrator>(sp => sp.GetRequiredService<InProcessRestoreOrchestrator>());
        if (settings.PrometheusUrl is null)
        {
            var series = settings.BuiltinSeries
                ?? throw new ArgumentException("Without a Prometheus URL the built-in evaluator's series are the health source; pass BuiltinSeries.", nameof(settings));
            services.AddSingleton<IWorkloadHealthSource>(sp => new SimulatorHealthSource(series, settings.Rules.RateWindow, sp.GetRequiredService<TimeProvider>()));
        }
        services.AddSingleton(sp => new InMemoryTopic<byte[]>(AlertsTopic,
            new TopicOptions { MaxDeadLetters = sp.GetRequiredService<IOptions<DeadLetterOptions>>().Value.MaxKept }, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Autopilot.Standalone.Topic")));
        services.AddSingleton<IAlertPublisher, TopicAlertPublisher>();
        services.AddAutopilotIncidents(builder.Configuration);
        services.AddAutopilotGuardrail(builder.Configuration); // this host runs the guardrail in-process
        services.AddAutopilotApi(builder.Configuration);
        if (builder.Configuration[$"{RestoreOptions.Section}:StepPercents:0"] is null)
            services.PostConfigure<RestoreOptions>(o => o.StepPercents = [.. StandaloneSettings.RestoreSteps]);
        services.AddGatewayBridgeCore(builder.Configuration);
        // Registered first: the pool only adds its chat completion service when none is there.
        if (settings.ScriptedProposal is { } proposal) services.AddSingleton<Microsoft.SemanticKernel.ChatCompletion.IChatCompletionService>(new Demo.ScriptedProposalService(proposal));
        services.AddInferencePoolEngine(builder.Configuration);
        services.AddInProcessInferencePool("autopilot-actors");

        var app = builder.Build();
        // Subscribed to the state directory before anything reads it, so every quarantined file is logged and counted.
        app.Services.GetRequiredService<StateQuarantineCheck>();
        app.MapDefaultEndpoints();
        app.MapAutopilotApi();
        await app.StartAsync(ct);
        await app.Services.GetRequiredService<FileIncidentJournal>().LoadAsync(ct);

        await WireAsync(app.Services);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        await app.Services.GetRequiredService<InProcessRestoreOrchestrator>().ResumeAsync(ct);
        return new AutopilotHost(app, new Uri(address));
    }

    /// <summary>Subscribes the fan-out to the topic and lets reminders reach their processes.</summary>
    private static async Task WireAsync(IServiceProvider sp)
    {
        var fanOut = sp.GetRequiredService<AlertFanOut>();
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Autopilot.Standalone.Subscription");
        var topic = sp.GetRequiredService<InMemoryTopic<byte[]>>();
        var deadLetters = sp.GetRequiredService<IDeadLetterStore>();
        topic.DeadLetterSink = (letter, ct) => deadLetters.AddAsync(
            new DeadLetterRecord(Guid.NewGuid().ToString("N"), topic.Name, letter.At, letter.Reason, letter.Attempts, DeadLetterRecord.MessageText(letter.Message)), ct);
        topic.Subscribe(async (body, ct) =>
        {
            var parsed = AlertPayloadParser.ParseCloudEvent(body);
            if (!parsed.IsSuccess)
            {
                logger.LogWarning("Dropping malformed alert event: {Error}", parsed.Error);
                return DeliveryResult.Drop;
            }
            await fanOut.FanOutAsync(parsed.Value!, ct);
            return DeliveryResult.Success;
        });

        var incidents = sp.GetRequiredService<InProcessIncidentDispatcher>();
        var guardrails = sp.GetRequiredService<InProcessGuardrailGateway>();
        await sp.GetRequiredService<DurableReminders>().StartAsync((reminder, ct) => reminder.Area switch
        {
            ProcessKeys.Incident => incidents.ReceiveReminderAsync(WorkloadKey.Parse(reminder.Key), reminder.Name, ct),
            ProcessKeys.Guardrail => guardrails.ReceiveReminderAsync(RouteRef.Parse(reminder.Key), reminder.Name, ct),
            _ => throw new InvalidOperationException($"Reminder for unknown area '{reminder.Area}'."),
        });
    }

    internal static Dictionary<string, string?> Defaults(StandaloneSettings settings, StateDirectory state)
    {
        var key = "base64:" + StateSecret(state, "approval-signing-key");
        var values = new Dictionary<string, string?>
        {
            ["Autopilot:Incidents:SopDirectory"] = Path.Combine(settings.ContentRoot, "sops"),
            ["Autopilot:Incidents:SopIndexPath"] = Path.Combine(state.Root, "sop-index.db"),
            ["Autopilot:Guardrail:PolicyDirectory"] = Path.Combine(settings.ContentRoot, "policies"),
            ["Autopilot:Guardrail:SigningKey"] = key,
            ["GatewayBridge:ApprovalSigningKey"] = key,
            ["GatewayBridge:Kubernetes:Mode"] = "Explicit",
            ["GatewayBridge:Kubernetes:Url"] = settings.KubernetesUrl.ToString(),
            ["GatewayBridge:Kubernetes:Token"] = settings.KubernetesToken,
            ["InferencePool:ModelPath"] = settings.ModelPath,
            ["InferencePool:ModelCacheDirectory"] = Path.Combine(state.Root, "models"),
            ["Autopilot:Health:Window"] = $"{(int)settings.Rules.RateWindow.TotalSeconds}s",
            // Stand-alone mode is its own identity provider: it signs the operator token it prints (see OperatorToken).
            ["Autopilot:Identity:Issuer"] = AppId,
            ["Autopilot:Identity:SigningKeys:0"] = StateSecret(state, "operator-token-key"),
            // The webhook needs its token here as in production; the simulated Alertmanager (or the real one's
            // credentials_file) sends it, and serve prints where it is.
            ["Autopilot:Alerts:BearerToken"] = StateSecret(state, WebhookTokenFile),
        };
        if (settings.PrometheusUrl is { } prometheus) values["Autopilot:Health:PrometheusUrl"] = prometheus.ToString().TrimEnd('/');
        return values;
    }

    /// <summary>
    /// A token for the person running this host (subject "operator", group "autopilot-approvers"), valid for 12 hours:
    /// what an identity provider would issue, so approvals work in stand-alone mode as they do in production, as a
    /// person. serve and demo print it.
    /// </summary>
    public string OperatorToken()
    {
        var identity = Services.GetRequiredService<IOptions<Autopilot.Api.Identity.IdentityOptions>>().Value;
        return Autopilot.Api.Identity.LocalTokens.Issue(identity, "operator", ["autopilot-approvers"], TimeSpan.FromHours(12),
            Services.GetRequiredService<TimeProvider>().GetUtcNow());
    }

    /// <summary>A secret made once per state directory (the role of a Kubernetes secret), so what it signs survives a
    /// restart: the approval signing key shared by the guardrail and the bridge, the operator-token key, the webhook token.</summary>
    private static string StateSecret(StateDirectory state, string name)
    {
        var path = Path.Combine(state.Root, name);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(path, key);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    public async ValueTask DisposeAsync()
    {
        // Stop taking work first, then let running turns end, then the rest.
        await _app.StopAsync();
        await Services.GetRequiredService<DurableReminders>().DisposeAsync();
        await Services.GetRequiredService<InMemoryTopic<byte[]>>().DisposeAsync();
        await Services.GetRequiredService<InProcessRestoreOrchestrator>().DisposeAsync();
        await Services.GetRequiredService<KeyedExecutor>().StopAsync(TimeSpan.FromSeconds(10));
        await _app.DisposeAsync();
    }
}
