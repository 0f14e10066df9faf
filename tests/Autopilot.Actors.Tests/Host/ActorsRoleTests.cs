using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Tests.Host;

/// <summary>One image, two Dapr apps in a cluster: the incident loop without the signing key or the bridge client, and
/// the guardrail with them and nothing else (Autopilot:Actors:Role).</summary>
public sealed class ActorsRoleTests
{
    private sealed class RoleApp(string role, bool withSigningKey) : WebApplicationFactory<Program>
    {
        private readonly string _temp = Directory.CreateTempSubdirectory("autopilot-actors-role-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in Autopilot.Testing.AppSettings.Actors(_temp))
                if (withSigningKey || key != GuardrailOptions.Section + ":SigningKey") builder.UseSetting(key, value);
            builder.UseSetting(ActorsHostOptions.Section + ":Role", role);
            builder.ConfigureLogging(logging => logging.ClearProviders());
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            try { Directory.Delete(_temp, recursive: true); } catch (IOException) { /* the SOP index may still be open */ }
        }
    }

    private static async Task<string[]> ActorTypesAsync(HttpClient client)
    {
        using var config = await client.GetFromJsonAsync<JsonDocument>("/dapr/config");
        return [.. config!.RootElement.GetProperty("entities").EnumerateArray().Select(e => e.GetString()!)];
    }

    [Fact]
    public async Task The_incident_loop_hosts_only_the_incident_actor_and_starts_without_the_signing_key_or_the_bridge_client()
    {
        await using var app = new RoleApp("Incidents", withSigningKey: false);
        var client = app.CreateClient();

        Assert.Equal(["IncidentActor"], await ActorTypesAsync(client));
        Assert.Null(app.Services.GetService<IGatewayBridgeClient>());
        Assert.Null(app.Services.GetService<GuardrailServices>());
        Assert.Null(app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[GuardrailOptions.Section + ":SigningKey"]);
        // Its HTTP surface is there: the webhook answers (here: no token, 401) where the guardrail's app has none.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/alertmanager", new StringContent("{}"))).StatusCode);
    }

    [Fact]
    public async Task The_guardrail_hosts_only_the_guardrail_actor_with_the_key_and_serves_no_api()
    {
        await using var app = new RoleApp("Guardrail", withSigningKey: true);
        var client = app.CreateClient();

        Assert.Equal(["GuardrailActor"], await ActorTypesAsync(client));
        Assert.NotNull(app.Services.GetService<IGatewayBridgeClient>());
        Assert.Equal(32, app.Services.GetRequiredService<GuardrailServices>().SigningKey.Length);
        foreach (var path in new[] { "/incidents", "/dapr/subscribe", "/mcp", "/console/" })
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/alertmanager", new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public void The_guardrail_without_its_signing_key_does_not_start_naming_the_key()
    {
        using var app = new RoleApp("Guardrail", withSigningKey: false);

        var e = Assert.ThrowsAny<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("Autopilot:Guardrail:SigningKey is not set", e.Message);
    }

    [Fact]
    public void An_unknown_role_stops_start_up_naming_the_key_and_the_roles()
    {
        using var app = new RoleApp("Everything", withSigningKey: true);

        var e = Assert.ThrowsAny<OptionsValidationException>(() => app.CreateClient());

        Assert.Contains("Autopilot:Actors:Role is 'Everything'; use All, Incidents or Guardrail.", e.Message);
    }
}
