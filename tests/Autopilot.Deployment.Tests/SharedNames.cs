namespace Autopilot.Deployment.Tests;

/// <summary>
/// The shared vocabulary every deployment file must agree on (BRIEF.md, "Shared vocabulary"). This is the one list
/// the deployment checks compare against; CodeConsistencyTests checks the apps' source uses the same names.
/// </summary>
public static class SharedNames
{
    public const string ActorsAppId = "autopilot-actors";
    public const string InferencePoolAppId = "inference-pool";
    public const string GatewayBridgeAppId = "gateway-bridge";
    /// <summary>The guardrail's own app in a cluster: the actors image with Autopilot:Actors:Role=Guardrail. Local runs
    /// host it inside autopilot-actors (role All).</summary>
    public const string GuardrailAppId = "autopilot-guardrail";

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

    /// <summary>The apps of a local run, one per project.</summary>
    public static IReadOnlyCollection<string> AppIds => AppPorts.Keys.ToList();

    /// <summary>The Dapr apps of a cluster: the local ones and the guardrail split out of autopilot-actors.</summary>
    public static readonly IReadOnlyDictionary<string, int> ClusterAppPorts =
        new Dictionary<string, int>(AppPorts) { [GuardrailAppId] = AppPorts[ActorsAppId] };

    public static IReadOnlyCollection<string> ClusterAppIds => ClusterAppPorts.Keys.ToList();

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

    public static readonly IReadOnlySet<string> ActorTypes = new HashSet<string> { "IncidentActor", "GuardrailActor" };

    public const string Namespace = "autopilot";

    public static readonly IReadOnlySet<string> WorkloadAlerts = new HashSet<string>
    {
        "CanaryHighErrorRate", "CanaryLatencyRegression", "DependencyOutage", "TrafficSurge",
        "AllVersionsFailing", "PodCrashLooping", "CertificateExpiringSoon", "AlertFlapping",
    };

    public const string SelfAlert = "AutopilotUnhealthy";
}
