using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class AppIdConsistencyTests
{
    [Fact]
    public void Multi_app_run_starts_exactly_the_three_apps_on_their_agreed_ports()
    {
        var apps = Manifests.MultiAppRun.MapsAt("apps").ToDictionary(a => a.Required("appID"), a => int.Parse(a.Required("appPort")));
        Assert.Equal(SharedNames.AppPorts.OrderBy(p => p.Key), apps.OrderBy(p => p.Key));
    }

    [Fact]
    public void Tye_starts_the_same_apps_on_the_same_ports()
    {
        var services = Manifests.Tye.MapsAt("services").ToDictionary(
            s => s.Required("name"),
            s => int.Parse(Assert.Single(s.MapsAt("bindings")).Required("port")));
        Assert.Equal(SharedNames.AppPorts.OrderBy(p => p.Key), services.OrderBy(p => p.Key));
    }

    [Fact]
    public void Kubernetes_deployments_carry_the_same_app_ids_and_ports()
    {
        var deployments = Manifests.ClusterOfKind("Deployment").ToDictionary(
            d => d.Required("spec", "template", "metadata", "annotations", "dapr.io/app-id"),
            d => int.Parse(d.Required("spec", "template", "metadata", "annotations", "dapr.io/app-port")));
        Assert.Equal(SharedNames.ClusterAppPorts.OrderBy(p => p.Key), deployments.OrderBy(p => p.Key));
    }

    [Fact]
    public void Each_app_runs_its_own_project_everywhere()
    {
        foreach (var (appId, project) in SharedNames.AppProjects)
        {
            Assert.True(Directory.EnumerateFiles(Repo.PathOf(project), "*.csproj").Any(), $"{project} has no project file");
            Assert.Contains(project, Manifests.DaprRunApp(appId).StringsAt("command"));
            var tyeService = Manifests.Tye.MapsAt("services").Single(s => s.Str("name") == appId);
            Assert.StartsWith(project + "/", tyeService.Required("project"));
            Assert.True(File.Exists(Repo.PathOf(tyeService.Required("project"))), $"tye.yaml: {tyeService.Required("project")} does not exist");
        }
    }

    [Fact]
    public void Every_scope_and_policy_names_a_known_app_id()
    {
        var known = SharedNames.ClusterAppIds.ToHashSet();
        var documents = Manifests.DocumentsUnder("components").Concat(Manifests.DocumentsUnder("dapr"));
        foreach (var (file, document) in documents)
        {
            foreach (var scope in document.StringsAt("scopes"))
                Assert.True(known.Contains(scope), $"{file}: {document.Describe()} is scoped to unknown app-id '{scope}'");
            foreach (var policy in document.MapsAt("spec", "accessControl", "policies"))
                Assert.True(known.Contains(policy.Required("appId")), $"{file}: access policy for unknown app-id '{policy.Str("appId")}'");
            foreach (var app in (document.MapAt("spec", "targets", "apps") ?? new Map()).Keys)
                Assert.True(known.Contains(app), $"{file}: resiliency target for unknown app-id '{app}'");
        }
    }

    [Fact]
    public void Every_sidecar_configuration_is_named_after_its_app_and_exists_in_both_modes()
    {
        foreach (var appId in SharedNames.AppIds)
        {
            Assert.Equal($"{appId}-config", Manifests.LocalConfiguration(appId).Name);
            Assert.Equal($"{appId}-config", Manifests.ClusterConfigurationFor(appId).Name);
        }
    }

    [Fact]
    public void Each_app_listens_on_the_port_its_sidecar_calls()
    {
        foreach (var (appId, port) in SharedNames.AppPorts)
        {
            var local = Manifests.DaprRunApp(appId).Required("env", "ASPNETCORE_URLS");
            Assert.Equal(port, new Uri(local).Port);
            var container = Manifests.DeploymentFor(appId).MapsAt("spec", "template", "spec", "containers").First();
            var cluster = container.MapsAt("env").Single(e => e.Str("name") == "ASPNETCORE_URLS").Required("value");
            Assert.Contains(port, cluster.Split(';').Select(url => new Uri(url.Replace("+", "localhost")).Port));
        }
    }
}
