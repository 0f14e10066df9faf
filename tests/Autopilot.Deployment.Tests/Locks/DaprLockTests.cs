extern alias actors;
extern alias bridge;
extern alias pool;
using System.Net;
using Autopilot.Deployment.Tests.Support;
using Autopilot.Testing;

namespace Autopilot.Deployment.Tests.Locks;

/// <summary>
/// Lock (b), Dapr, alone: access control decides who may invoke an app (<see cref="AccessControlTests"/>, on the
/// rendered Configurations), and the app API token decides who may call an app's sidecar-only routes. Here every route
/// the sidecar calls is tried on the apps as their Program builds them with a token configured and nothing else in the
/// way (one port for everything, no network policy): without the token, or with a wrong one, each is refused. The
/// rendered manifests give every app its tokens from Secrets and carry no development switch.
/// </summary>
public sealed class DaprLockTests
{
    private const string Token = "sidecar-app-api-token-for-tests";

    private static readonly string Scratch = Directory.CreateTempSubdirectory("autopilot-dapr-lock-").FullName;

    private static readonly string[] DevelopmentSwitches = ["Autopilot__Sidecar__AllowWithoutAppApiToken", "Autopilot__Alerts__AllowAnonymousWebhook"];

    public static TheoryData<string> Apps => [.. SharedNames.ClusterAppIds];

    [Fact]
    public void Every_sidecar_sends_an_app_api_token_and_requires_a_dapr_api_token_from_secrets()
    {
        foreach (var appId in SharedNames.ClusterAppIds)
        {
            var annotations = Manifests.DeploymentFor(appId).RequiredMap("spec", "template", "metadata", "annotations");
            Assert.False(string.IsNullOrEmpty(annotations.Str("dapr.io/app-token-secret")), $"{appId}: dapr.io/app-token-secret");
            Assert.False(string.IsNullOrEmpty(annotations.Str("dapr.io/api-token-secret")), $"{appId}: dapr.io/api-token-secret");
        }
    }

    [Fact]
    public void No_cluster_manifest_turns_a_development_switch_on_or_makes_a_token_optional()
    {
        foreach (var deployment in Manifests.ClusterOfKind("Deployment"))
            foreach (var variable in deployment.MapsAt("spec", "template", "spec", "containers").SelectMany(c => c.MapsAt("env")))
            {
                Assert.DoesNotContain(variable.Str("name"), DevelopmentSwitches);
                Assert.NotEqual("true", variable.Str("valueFrom", "secretKeyRef", "optional"));
            }
        var webhookToken = Manifests.DeploymentFor(SharedNames.ActorsAppId).MapsAt("spec", "template", "spec", "containers")
            .SelectMany(c => c.MapsAt("env")).Single(e => e.Str("name") == "Autopilot__Alerts__BearerToken");
        Assert.Equal("autopilot-webhook-token", webhookToken.Required("valueFrom", "secretKeyRef", "name"));
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Every_route_the_sidecar_calls_refuses_a_caller_without_the_app_api_token(string appId)
    {
        var refused = appId switch
        {
            SharedNames.ActorsAppId => await CheckAsync<actors::Program>(AppSettings.Actors(Path.Combine(Scratch, "actors")), SidecarRouteOfActors),
            SharedNames.GuardrailAppId => await CheckAsync<actors::Program>(GuardrailSettings(Path.Combine(Scratch, "guardrail")), route => !IsDefault(route)),
            SharedNames.GatewayBridgeAppId => await CheckAsync<bridge::Program>(AppSettings.GatewayBridge(), route => !IsDefault(route)),
            _ => await CheckAsync<pool::Program>(AppSettings.InferencePool(Path.Combine(Scratch, "pool")), route => !IsDefault(route)),
        };

        Assert.NotEmpty(refused);
        if (appId == SharedNames.ActorsAppId)
        {
            Assert.Contains("POST /alerts", refused);
            Assert.Contains("POST /alerts/dead-letters", refused);
            Assert.Contains("GET /dapr/config", refused);
            Assert.Contains(refused, r => r.StartsWith("PUT /actors/", StringComparison.Ordinal));
        }
    }

    /// <summary>The actors app in the guardrail's role, as autopilot-guardrail runs it.</summary>
    internal static Dictionary<string, string?> GuardrailSettings(string scratch) =>
        new(AppSettings.Actors(scratch)) { ["Autopilot:Actors:Role"] = "Guardrail" };

    private static bool IsDefault(string route) => route is "/healthz" or "/readyz" or "/metrics";

    /// <summary>What the actors app's sidecar calls: the actor runtime's routes, the subscriptions and the topics.</summary>
    private static bool SidecarRouteOfActors(string route) =>
        route.StartsWith("/actors/", StringComparison.Ordinal) || route.StartsWith("/dapr/", StringComparison.Ordinal)
        || route is "/alerts" or actors::Autopilot.Actors.DeadLetters.DeadLetterSubscriptionEndpoints.Path;

    private static async Task<List<string>> CheckAsync<TEntry>(Dictionary<string, string?> settings, Func<string, bool> calledBySidecar) where TEntry : class
    {
        settings.Remove(AppSettings.SidecarSwitch);
        settings["APP_API_TOKEN"] = Token;
        await using var app = ListeningApp<TEntry>.Start(settings, withMonitoringPort: false);
        using var http = new HttpClient { BaseAddress = app.AppUrl, Timeout = TimeSpan.FromSeconds(30) };
        var refused = new List<string>();
        foreach (var (verb, path, route) in app.Requests())
        {
            var without = await SendAsync(http, verb, path, token: null);
            var wrong = await SendAsync(http, verb, path, token: "not-" + Token);
            var with = await SendAsync(http, verb, path, token: Token);
            Assert.False(with.Refused, $"{verb} {route} refused the sidecar's own token");
            if (!calledBySidecar(route))
            {
                Assert.False(without.Refused, $"{verb} {route} is not called by the sidecar and must not need its token");
                continue;
            }
            Assert.True(without.Refused, $"{verb} {route} answered {without.Status} without the app API token");
            Assert.True(wrong.Refused, $"{verb} {route} answered {wrong.Status} with a wrong app API token");
            refused.Add($"{verb} {route}");
        }
        return refused;
    }

    private static async Task<(string Status, bool Refused)> SendAsync(HttpClient http, HttpMethod verb, string path, string? token)
    {
        using var request = RouteRequests.For(verb, new Uri(http.BaseAddress!, path));
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return ($"{(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}", response.StatusCode == HttpStatusCode.Unauthorized && body.Contains("Not from the Dapr sidecar"));
    }
}
