using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class AlertmanagerTests
{
    private static Map Config => Yaml.LoadSingle(Repo.PathOf("deploy/prometheus/alertmanager.yaml"));

    [Fact]
    public void Amtool_accepts_the_config()
    {
        var amtool = Tools.Locate("amtool", "prometheus-alertmanager");
        var (exitCode, output) = Tools.Run(amtool, ["check-config", "alertmanager.yaml"], Repo.PathOf("deploy/prometheus"));
        Assert.True(exitCode == 0, $"amtool check-config failed:\n{output}");
    }

    [Fact]
    public void Workload_alerts_are_grouped_per_workload_and_alert_and_posted_to_the_actors_webhook()
    {
        var route = Config.RequiredMap("route");
        Assert.Equal(new[] { "alertname", "namespace", "workload" }, route.StringsAt("group_by").Order());
        var receiver = Config.MapsAt("receivers").Single(r => r.Str("name") == route.Str("receiver"));
        var webhook = Assert.Single(receiver.MapsAt("webhook_configs"));
        var url = new Uri(webhook.Required("url"));
        Assert.Equal(SharedNames.AlertmanagerWebhookPath, url.AbsolutePath);
        Assert.StartsWith($"{SharedNames.ActorsAppId}.{SharedNames.Namespace}.svc", url.Host);
        var service = Manifests.ClusterResource("Service", SharedNames.ActorsAppId);
        Assert.Equal(url.Port.ToString(), Assert.Single(service.MapsAt("spec", "ports")).Str("port"));
        Assert.Equal("true", webhook.Str("send_resolved"));
        Assert.Equal("0", webhook.Str("max_alerts"));
        Assert.Equal("Bearer", webhook.Str("http_config", "authorization", "type"));
    }

    [Fact]
    public void Autopilots_own_health_alerts_go_to_people_not_to_autopilot()
    {
        var route = Config.RequiredMap("route");
        var selfRoute = route.MapsAt("routes").Single(r => r.StringsAt("matchers").Any(m => m.Contains(SharedNames.SelfAlert)));
        Assert.NotEqual(route.Str("receiver"), selfRoute.Str("receiver"));
        Assert.NotEqual("true", selfRoute.Str("continue"));
    }
}
