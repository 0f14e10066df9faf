extern alias actors;
extern alias bridge;
extern alias pool;
using System.Net;
using System.Net.Http.Headers;
using Autopilot.Testing;

namespace Autopilot.Deployment.Tests.Locks;

/// <summary>
/// Lock (a) inside the pod: the port the NetworkPolicies open to the monitoring namespace serves /metrics, the probes
/// and (actors) Alertmanager's webhook, and answers 404 to everything else. Every route each app maps is tried there
/// with the other locks out of the way: a signed-in approver's token on every request, and no app API token required
/// (the development switch), so only the port can be what refuses.
/// </summary>
public sealed class MonitoringPortTests
{
    private static readonly string[] MonitoringRoutes = ["/healthz", "/readyz", "/metrics", "/alertmanager"];

    private const string RefusalTitle = "Not on this port";

    private static readonly string Scratch = Directory.CreateTempSubdirectory("autopilot-monitoring-port-").FullName;

    public static TheoryData<string> Apps => [.. SharedNames.ClusterAppIds];

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task The_monitoring_port_serves_only_metrics_probes_and_the_webhook_even_to_a_signed_in_approver(string appId)
    {
        var checkedRoutes = appId switch
        {
            SharedNames.ActorsAppId => await CheckAsync<actors::Program>(AppSettings.Actors(Path.Combine(Scratch, "actors"))),
            SharedNames.GuardrailAppId => await CheckAsync<actors::Program>(DaprLockTests.GuardrailSettings(Path.Combine(Scratch, "guardrail"))),
            SharedNames.GatewayBridgeAppId => await CheckAsync<bridge::Program>(AppSettings.GatewayBridge()),
            _ => await CheckAsync<pool::Program>(AppSettings.InferencePool(Path.Combine(Scratch, "pool"))),
        };

        Assert.NotEmpty(checkedRoutes);
    }

    [Fact]
    public async Task Alertmanager_reaches_the_webhook_and_prometheus_the_metrics_on_the_monitoring_port()
    {
        await using var app = ListeningApp<actors::Program>.Start(AppSettings.Actors(Path.Combine(Scratch, "actors-webhook")), withMonitoringPort: true);
        using var http = new HttpClient { BaseAddress = app.MonitoringUrl };
        http.DefaultRequestHeaders.Authorization = AppSettings.WebhookAuthorization;

        using var metrics = await http.GetAsync("metrics");
        // A payload of an unsupported version: the handler itself answers (past the port and the token), publishing nothing.
        using var webhook = await http.PostAsync("alertmanager", new StringContent("""{"version":"3","status":"firing","receiver":"autopilot","alerts":[]}""",
            System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, webhook.StatusCode);
        Assert.Contains("\"field\":\"version\"", await webhook.Content.ReadAsStringAsync());
    }

    /// <summary>Every route on both ports; answers the routes that had to be refused on the monitoring port.</summary>
    private static async Task<List<string>> CheckAsync<TEntry>(Dictionary<string, string?> settings) where TEntry : class
    {
        await using var app = ListeningApp<TEntry>.Start(settings, withMonitoringPort: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", People.Token("alice", "autopilot-approvers"));
        var refused = new List<string>();
        foreach (var (verb, path, route) in app.Requests())
        {
            var onMonitoring = await SendAsync(http, new Uri(app.MonitoringUrl!, path), verb);
            var onApp = await SendAsync(http, new Uri(app.AppUrl, path), verb);
            Assert.False(onApp.Refused, $"{verb} {route} was refused on the app port");
            if (MonitoringRoutes.Contains(route))
            {
                Assert.False(onMonitoring.Refused, $"{verb} {route} must answer on the monitoring port");
                continue;
            }
            Assert.True(onMonitoring.Refused, $"{verb} {route} answered {onMonitoring.Status} on the monitoring port");
            refused.Add($"{verb} {route}");
        }
        return refused;
    }

    private static async Task<(HttpStatusCode Status, bool Refused)> SendAsync(HttpClient http, Uri url, HttpMethod verb)
    {
        using var request = RouteRequests.For(verb, url);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.StatusCode == HttpStatusCode.NotFound && body.Contains(RefusalTitle));
    }
}
