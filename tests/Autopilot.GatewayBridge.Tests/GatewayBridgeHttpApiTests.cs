using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Autopilot.GatewayBridge.Client;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Autopilot.GatewayBridge.Tests.TestCluster;

namespace Autopilot.GatewayBridge.Tests;

/// <summary>The bridge host over real HTTP on loopback, in front of the fake API server.</summary>
public sealed class GatewayBridgeHttpApiTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private BridgeApp _host = null!;
    private Uri _url = null!;

    public async Task InitializeAsync()
    {
        _cluster = await StartAsync();
        (_host, _url) = await StartBridgeAsync(new()
        {
            ["GatewayBridge:ApprovalSigningKey"] = "base64:" + Convert.ToBase64String(Key),
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task The_http_client_reads_applies_lists_and_undoes_through_the_api_with_the_dapr_app_id_header()
    {
        var recorder = new HeaderRecorder { InnerHandler = new HttpClientHandler() };
        var client = new GatewayBridgeHttpClient(new HttpClient(recorder) { BaseAddress = _url }, daprAppId: "gateway-bridge");
        // The change is signed with real time: the host uses the system clock.
        var change = Shift("chg-http", 90, 100);
        var token = ApprovalToken.Sign(change, DateTimeOffset.UtcNow.AddMinutes(5), Key);

        var route = await client.GetRouteAsync(Checkout);
        var applied = await client.ApplyAsync(change, token);
        var changes = await client.ListChangesAsync(Checkout);
        var undo = new UndoRequest("chg-http", "undo-http", "inc-1", "recovered", Checkout);
        var undone = await client.UndoAsync(undo, ApprovalToken.SignUndo(undo, DateTimeOffset.UtcNow.AddMinutes(5), Key));

        Assert.Equal(W(90), route.Weights());
        Assert.Equal("checkout-v1", route.StableBackend);
        Assert.Equal(ChangeOutcome.Applied, applied.Outcome);
        Assert.Equal("chg-http", Assert.Single(changes).Change.ChangeId);
        Assert.Equal(ChangeOutcome.Undone, undone.Outcome);
        Assert.Equal(W(90), _cluster.Weights());
        Assert.All(recorder.AppIds, id => Assert.Equal("gateway-bridge", id));
        Assert.Equal(4, recorder.AppIds.Count);
    }

    /// <summary>Lock (b) alone: the approval token is valid (as if the key had leaked) and nothing else stands in the
    /// way (no network policy here, no Dapr access control), yet without the sidecar's app API token the bridge acts on
    /// nothing and reveals nothing.</summary>
    [Fact]
    public async Task With_an_app_api_token_a_validly_signed_change_from_anyone_but_the_sidecar_is_refused()
    {
        const string sidecarToken = "bridge-app-api-token-for-tests";
        var (host, url) = await StartBridgeAsync(new()
        {
            ["GatewayBridge:ApprovalSigningKey"] = "base64:" + Convert.ToBase64String(Key),
            ["APP_API_TOKEN"] = sidecarToken,
        });
        await using var _ = host;
        var change = Shift("chg-sidecar", 90, 100);
        var approval = ApprovalToken.Sign(change, DateTimeOffset.UtcNow.AddMinutes(5), Key);
        using var http = new HttpClient { BaseAddress = url };

        using var without = await http.PostAsJsonAsync("changes", new ApplyChangeRequest(change, approval), GatewayBridgeJson.Options);
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "changes") { Content = JsonContent.Create(new ApplyChangeRequest(change, approval), options: GatewayBridgeJson.Options) };
        wrong.Headers.Add("dapr-api-token", "not-the-token-of-this-sidecar");
        using var wrongAnswer = await http.SendAsync(wrong);
        using var read = await http.GetAsync("routes/shop/checkout");
        using var probe = await http.GetAsync("healthz");

        foreach (var refused in new[] { without, wrongAnswer, read })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.Contains("Not from the Dapr sidecar", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal(W(90), _cluster.Weights());

        // The sidecar brings the token: the same signed change applies.
        http.DefaultRequestHeaders.Add("dapr-api-token", sidecarToken);
        using var sidecar = await http.PostAsJsonAsync("changes", new ApplyChangeRequest(change, approval), GatewayBridgeJson.Options);
        Assert.Equal(HttpStatusCode.OK, sidecar.StatusCode);
        Assert.Equal(W(100), _cluster.Weights());
    }

    [Fact]
    public async Task Refusals_are_problem_details_with_the_bridges_status()
    {
        using var http = new HttpClient { BaseAddress = _url };
        var change = Shift("chg-1", 90, 0);

        using var unapproved = await http.PostAsJsonAsync("changes", new ApplyChangeRequest(change, null), GatewayBridgeJson.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, unapproved.StatusCode);
        Assert.Equal("application/problem+json", unapproved.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await unapproved.Content.ReadAsStringAsync())!;
        Assert.Equal("Approval required", problem["title"]!.GetValue<string>());
        Assert.Equal(401, problem["status"]!.GetValue<int>());

        var client = new GatewayBridgeHttpClient(new HttpClient { BaseAddress = _url });
        var stale = Shift("chg-2", 50, 0);
        var moved = await Assert.ThrowsAsync<GatewayBridgeException>(() =>
            client.ApplyAsync(stale, ApprovalToken.Sign(stale, DateTimeOffset.UtcNow.AddMinutes(5), Key)));
        Assert.Equal(412, moved.StatusCode);
        Assert.Equal("Route changed since approval", moved.Title);

        var missing = await Assert.ThrowsAsync<GatewayBridgeException>(() => client.GetRouteAsync(new RouteRef("shop", "nope")));
        Assert.Equal(404, missing.StatusCode);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task Malformed_bodies_and_queries_are_400_naming_the_field()
    {
        using var http = new HttpClient { BaseAddress = _url };
        using var badType = await http.PostAsync("changes",
            new StringContent("""{"change":{"changeId":"c","ruleIndex":"first"},"approvalToken":"x"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, badType.StatusCode);
        Assert.Contains("$.change.ruleIndex", JsonNode.Parse(await badType.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());

        using var badRoute = await http.GetAsync("changes?route=just-a-name");
        Assert.Equal(HttpStatusCode.BadRequest, badRoute.StatusCode);
        Assert.Contains("route", JsonNode.Parse(await badRoute.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Is_ready_when_the_kubernetes_api_answers()
    {
        using var http = new HttpClient { BaseAddress = _url };
        using var ready = await http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        _cluster.Server.Access.Revoke(BridgeToken);
        using var notReady = await http.GetAsync("readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
    }

    [Fact]
    public async Task Refuses_to_start_with_a_short_signing_key_naming_the_setting()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartBridgeAsync(new() { ["GatewayBridge:ApprovalSigningKey"] = "too-short" }));
        Assert.Contains("GatewayBridge:ApprovalSigningKey", e.Message);
        Assert.Contains("32", e.Message);
    }

    [Fact]
    public async Task Loads_the_signing_key_from_the_dapr_secret_store_when_not_configured()
    {
        // A stand-in for the sidecar's secrets API: GET /v1.0/secrets/autopilot-secrets/approval-signing-key.
        var sidecarBuilder = WebApplication.CreateSlimBuilder();
        sidecarBuilder.Logging.ClearProviders();
        sidecarBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        await using var sidecar = sidecarBuilder.Build();
        sidecar.MapGet("/v1.0/secrets/autopilot-secrets/approval-signing-key", () =>
            Results.Json(new Dictionary<string, string> { ["approval-signing-key"] = "base64:" + Convert.ToBase64String(Key) }));
        await sidecar.StartAsync();
        var port = new Uri(sidecar.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        var (bridge, url) = await StartBridgeAsync(new() { ["DAPR_HTTP_PORT"] = port.ToString() });
        await using var _ = bridge;
        var client = new GatewayBridgeHttpClient(new HttpClient { BaseAddress = url });
        var change = Shift("chg-dapr", 90, 95);

        var result = await client.ApplyAsync(change, ApprovalToken.Sign(change, DateTimeOffset.UtcNow.AddMinutes(5), Key));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
    }

    [Fact]
    public async Task A_secret_store_without_the_key_stops_start_up_naming_the_setting()
    {
        // A sidecar that is up but whose secret store has no such secret.
        var sidecarBuilder = WebApplication.CreateSlimBuilder();
        sidecarBuilder.Logging.ClearProviders();
        sidecarBuilder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        await using var sidecar = sidecarBuilder.Build();
        await sidecar.StartAsync();
        var port = new Uri(sidecar.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartBridgeAsync(new() { ["DAPR_HTTP_PORT"] = port.ToString() }));

        Assert.Contains("GatewayBridge:ApprovalSigningKey", e.Message);
        Assert.Contains("404", e.Message);
    }

    private async Task<(BridgeApp Host, Uri Url)> StartBridgeAsync(Dictionary<string, string?> settings)
    {
        settings["GatewayBridge:Kubernetes:Mode"] = "Explicit";
        settings["GatewayBridge:Kubernetes:Url"] = _cluster.Server.Url.ToString();
        settings["GatewayBridge:Kubernetes:Token"] = BridgeToken;
        var host = new BridgeApp(settings);
        host.UseKestrel(0);
        try
        {
            host.StartServer();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (host, new Uri(address + "/"));
    }

    /// <summary>The bridge as its Program builds it, on a free loopback port, with the test's settings.</summary>
    private sealed class BridgeApp(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            // The API is called here as a sidecar without an app API token would; SidecarLockTests set one.
            if (!settings.ContainsKey("APP_API_TOKEN")) builder.UseSetting(Autopilot.Hosting.Sidecar.SidecarOptions.Section + ":AllowWithoutAppApiToken", "true");
            builder.ConfigureLogging(logging => logging.ClearProviders());
        }
    }

    private sealed class HeaderRecorder : DelegatingHandler
    {
        public List<string> AppIds { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues(GatewayBridgeHttpClient.DaprAppIdHeader, out var values)) AppIds.AddRange(values);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
