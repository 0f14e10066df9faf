namespace Autopilot.Testing;

/// <summary>
/// The settings each app needs to start in a test, outside a cluster and without a Dapr sidecar (no secret store, no
/// state store): written once, used by every test that builds an app through WebApplicationFactory.
/// </summary>
public static class AppSettings
{
    /// <summary>The identity provider tests sign people's tokens as (see <see cref="People"/>).</summary>
    public static readonly Autopilot.Api.Identity.IdentityOptions Identity = new()
    {
        Issuer = "autopilot-test",
        SigningKeys = [Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray())],
    };

    /// <summary>The settings that make an app trust <see cref="Identity"/>.</summary>
    public static Dictionary<string, string?> IdentitySettings() => new()
    {
        ["Autopilot:Identity:Issuer"] = Identity.Issuer,
        ["Autopilot:Identity:SigningKeys:0"] = Identity.SigningKeys![0],
    };

    /// <summary>Tests call the routes only a Dapr sidecar calls directly, as a development sidecar without an app API
    /// token would; the tests of that lock (SidecarLockTests) set a token instead.</summary>
    public const string SidecarSwitch = "Autopilot:Sidecar:AllowWithoutAppApiToken";

    /// <summary>The bearer token the actors app's webhook requires in tests (as Alertmanager would send it).</summary>
    public const string WebhookToken = "webhook-token-for-tests";

    /// <summary>"Authorization: Bearer <see cref="WebhookToken"/>".</summary>
    public static System.Net.Http.Headers.AuthenticationHeaderValue WebhookAuthorization => new("Bearer", WebhookToken);

    /// <summary>An approval signing key of the required 32 bytes (all zero: tests only).</summary>
    public static readonly string SigningKey = "base64:" + Convert.ToBase64String(new byte[32]);

    /// <summary>The actors app: the shipped SOPs (indexed under <paramref name="scratch"/>), a policy folder (default:
    /// the shipped policies) and a signing key, which in a cluster comes from the Dapr secret store.</summary>
    public static Dictionary<string, string?> Actors(string scratch, string? policyDirectory = null) => new()
    {
        ["Autopilot:Incidents:SopDirectory"] = Repo.PathOf("sops"),
        ["Autopilot:Incidents:SopIndexPath"] = Path.Combine(scratch, "sop-index.db"),
        ["Autopilot:Guardrail:PolicyDirectory"] = policyDirectory ?? Repo.PathOf("policies"),
        ["Autopilot:Guardrail:SigningKey"] = SigningKey,
        ["Autopilot:Alerts:BearerToken"] = WebhookToken,
        [SidecarSwitch] = "true",
        ["Autopilot:Identity:Issuer"] = Identity.Issuer,
        ["Autopilot:Identity:SigningKeys:0"] = Identity.SigningKeys![0],
    };

    /// <summary>The gateway-bridge app against an API server at <paramref name="kubernetesUrl"/> (nothing listens on
    /// the default one: for tests that never reach the cluster).</summary>
    public static Dictionary<string, string?> GatewayBridge(string kubernetesUrl = "http://127.0.0.1:9/") => new()
    {
        ["GatewayBridge:Kubernetes:Mode"] = "Explicit",
        ["GatewayBridge:Kubernetes:Url"] = kubernetesUrl,
        ["GatewayBridge:Kubernetes:Token"] = "unused",
        ["GatewayBridge:ApprovalSigningKey"] = SigningKey,
        [SidecarSwitch] = "true",
    };

    /// <summary>The inference pool with the generated smoke-test model, cached under <paramref name="scratch"/>.</summary>
    public static Dictionary<string, string?> InferencePool(string scratch) => new()
    {
        ["InferencePool:ModelPath"] = "builtin:tiny",
        ["InferencePool:ModelCacheDirectory"] = Path.Combine(scratch, "models"),
        [SidecarSwitch] = "true",
    };
}
