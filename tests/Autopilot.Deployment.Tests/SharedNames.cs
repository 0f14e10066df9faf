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

    public static readonly IReadOnlySet<string> ActorTypes = new HashSet<string> { "IncidentActor", "GuardrailActor" };

    public const string Namespace = "autopilot";

    public static readonly IReadOnlySet<string> WorkloadAlerts = new HashSet<string>
    {
        "CanaryHighErrorRate", "CanaryLatencyRegression", "DependencyOutage", "TrafficSurge",
        "AllVersionsFailing", "PodCrashLooping", "CertificateExpiringSoon", "AlertFlapping",
    };

    public const string SelfAlert = "AutopilotUnhealthy";
}
