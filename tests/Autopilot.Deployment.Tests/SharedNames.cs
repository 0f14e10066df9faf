namespace Autopilot.Deployment.Tests;

/// <summary>
/// The shared vocabulary every deployment file must agree on (BRIEF.md, "Shared vocabulary"). This is the one list
/// the deployment checks compare against; the apps' own constants (topic, pub/sub, route, app-ids) must match it.
/// </summary>
public static class SharedNames
{
    public const string ActorsAppId = "autopilot-actors";
    public const string InferencePoolAppId = "inference-pool";
    public const string GatewayBridgeAppId = "gateway-bridge";
    /// <summary>Only if the guardrail is split out of autopilot-actors.</summary>
    public const string SplitGuardrailAppId = "autopilot-guardrail";

    public static readonly IReadOnlyDictionary<string, int> AppPorts = new Dictionary<string, int>
    {
        [ActorsAppId] = 5080,
        [InferencePoolAppId] = 5090,
        [GatewayBridgeAppId] = 5070,
    };

    public static readonly IReadOnlyDictionary<string, string> AppProjects = new Dictionary<string, string>
    {
        [ActorsAppId] = "actors/Autopilot.Actors",
        [InferencePoolAppId] = "inference-pool/Autopilot.InferencePool",
        [GatewayBridgeAppId] = "gateway-bridge/Autopilot.GatewayBridge",
    };

    public static IReadOnlyCollection<string> AppIds => AppPorts.Keys.ToList();

    /// <summary>App-ids that host the GuardrailActor and therefore may invoke gateway-bridge.</summary>
    public static readonly IReadOnlySet<string> GuardrailAppIds = new HashSet<string> { ActorsAppId, SplitGuardrailAppId };

    public const string PubSub = "alerts-pubsub";
    public const string AlertsTopic = "alerts";
    public const string DeadLetterTopic = "alerts-deadletter";
    /// <summary>The actors app's subscription handler path.</summary>
    public const string AlertsRoute = "/alerts";
    /// <summary>The actors app's Alertmanager webhook path.</summary>
    public const string AlertmanagerWebhookPath = "/alertmanager";
    public const string ActorStateStore = "actorstate";
    public const string SecretStore = "autopilot-secrets";
    public const string ApprovalSigningKey = "approval-signing-key";

    /// <summary>gateway-bridge's HTTP API (gateway-bridge/Autopilot.GatewayBridge/GatewayBridgeApi.cs), as "VERB /path".</summary>
    public static readonly IReadOnlyList<string> GatewayBridgeApi =
    [
        "GET /routes", "GET /routes/shop/checkout", "GET /changes", "POST /changes", "POST /changes/c-42/undo",
    ];

    /// <summary>inference-pool's HTTP API (inference-pool/Autopilot.InferencePool/PoolEndpoints.cs).</summary>
    public static readonly IReadOnlyList<string> InferencePoolApi =
    [
        "POST /sessions", "POST /sessions/l-1/completions", "DELETE /sessions/l-1", "GET /pool",
    ];

    public static readonly IReadOnlySet<string> ActorTypes = new HashSet<string> { "IncidentActor", "GuardrailActor" };

    public const string Namespace = "autopilot";

    public static readonly IReadOnlySet<string> WorkloadAlerts = new HashSet<string>
    {
        "CanaryHighErrorRate", "CanaryLatencyRegression", "DependencyOutage", "TrafficSurge",
        "AllVersionsFailing", "PodCrashLooping", "CertificateExpiringSoon", "AlertFlapping",
    };

    public const string SelfAlert = "AutopilotUnhealthy";
}
