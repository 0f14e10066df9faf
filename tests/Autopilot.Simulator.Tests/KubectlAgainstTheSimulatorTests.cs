using System.Text.Json.Nodes;
using Autopilot.Simulator.KubeApi;
using Autopilot.Testing;

namespace Autopilot.Simulator.Tests;

/// <summary>The simulated cluster's API answers standard tooling: the real kubectl discovers, lists and patches the
/// route, as a user exploring `./autopilot serve` would. kubectl sends credentials over TLS only, so against this
/// plain-http server it is an anonymous user, granted what the simulated environment grants it.</summary>
public sealed class KubectlAgainstTheSimulatorTests : IAsyncLifetime
{
    private KubeApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync();
        _server.Access.GrantAnonymous(new KubeAccessRule(["get", "list", "patch"], ["gateway.networking.k8s.io"], ["httproutes"]));
        _server.Store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.SampleCheckout());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private (int ExitCode, string Output, string Error) Kubectl(params string[] arguments) =>
        Testing.Kubectl.Run([$"--server={_server.Url}", .. arguments]);

    [Fact]
    public void Kubectl_lists_the_simulated_routes()
    {
        var (exitCode, output, error) = Kubectl("get", "httproutes", "-n", "shop");

        Assert.True(exitCode == 0, error);
        Assert.Contains("checkout", output);
        Assert.StartsWith("NAME", output.TrimStart());
    }

    [Fact]
    public void Kubectl_reads_a_route_by_its_qualified_name_as_json()
    {
        var (exitCode, output, error) = Kubectl("get", "httproutes.gateway.networking.k8s.io", "checkout", "-n", "shop", "-o", "json");

        Assert.True(exitCode == 0, error);
        var route = JsonNode.Parse(output)!;
        Assert.Equal("HTTPRoute", (string?)route["kind"]);
        Assert.Equal(90, (int?)route["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]);
    }

    [Fact]
    public void Kubectl_patches_the_route_and_the_store_sees_it()
    {
        var patch = """{"spec":{"rules":[{"backendRefs":[{"name":"checkout-v1","port":8080,"weight":100},{"name":"checkout-v2","port":8080,"weight":0}]}]}}""";

        var (exitCode, output, error) = Kubectl("patch", "httproute", "checkout", "-n", "shop", "--type=merge", "-p", patch);

        Assert.True(exitCode == 0, error);
        Assert.Contains("patched", output);
        var stored = _server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");
        Assert.Equal(0, (int?)stored["spec"]!["rules"]![0]!["backendRefs"]![1]!["weight"]);
    }

    [Fact]
    public void Kubectl_json_patch_changes_one_weight()
    {
        var patch = """[{"op":"replace","path":"/spec/rules/0/backendRefs/1/weight","value":0},{"op":"replace","path":"/spec/rules/0/backendRefs/0/weight","value":100}]""";

        var (exitCode, _, error) = Kubectl("patch", "httproute", "checkout", "-n", "shop", "--type=json", "-p", patch);

        Assert.True(exitCode == 0, error);
        var stored = _server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");
        Assert.Equal(100, (int?)stored["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]);
    }

    [Fact]
    public void Kubectl_server_side_dry_run_answers_without_persisting()
    {
        var before = (string?)_server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")["metadata"]!["resourceVersion"];
        var patch = """{"spec":{"rules":[{"backendRefs":[{"name":"checkout-v1","port":8080,"weight":100},{"name":"checkout-v2","port":8080,"weight":0}]}]}}""";

        var (exitCode, output, error) = Kubectl("patch", "httproute", "checkout", "-n", "shop", "--type=merge", "-p", patch, "--dry-run=server");

        Assert.True(exitCode == 0, error);
        Assert.Contains("patched", output);
        var stored = _server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");
        Assert.Equal(90, (int?)stored["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]);
        Assert.Equal(before, (string?)stored["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public void Kubectl_patch_at_a_stale_resource_version_is_a_conflict()
    {
        var stale = (string?)_server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")["metadata"]!["resourceVersion"];
        Assert.Equal(0, Kubectl("patch", "httproute", "checkout", "-n", "shop", "--type=merge", "-p", """{"metadata":{"labels":{"touched":"yes"}}}""").ExitCode);

        var patch = """{"metadata":{"resourceVersion":"STALE"},"spec":{"rules":[{"backendRefs":[{"name":"checkout-v1","port":8080,"weight":100},{"name":"checkout-v2","port":8080,"weight":0}]}]}}""".Replace("STALE", stale);
        var (exitCode, _, error) = Kubectl("patch", "httproute", "checkout", "-n", "shop", "--type=merge", "-p", patch);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("the object has been modified", error);
        Assert.Equal(90, (int?)_server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]);
    }

    [Fact]
    public void Kubectl_default_strategic_patch_is_refused_as_a_real_server_refuses_it_for_a_custom_resource()
    {
        var (exitCode, _, error) = Kubectl("patch", "httproute", "checkout", "-n", "shop", "-p", """{"metadata":{"labels":{"touched":"yes"}}}""");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("application/merge-patch+json", error);
    }

    [Fact]
    public void Kubectl_may_not_do_what_anonymous_users_were_not_granted()
    {
        var (exitCode, _, error) = Kubectl("delete", "httproute", "checkout", "-n", "shop");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("forbidden", error, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(_server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout"));
    }

    [Fact]
    public void Without_an_anonymous_grant_kubectl_is_unauthorized()
    {
        _server.Access.RevokeAnonymous();

        var (exitCode, _, error) = Kubectl("get", "httproutes", "-n", "shop");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("provide credentials", error);
    }
}
