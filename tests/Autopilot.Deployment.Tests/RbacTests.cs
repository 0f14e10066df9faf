using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class RbacTests
{
    private const string GatewayGroup = "gateway.networking.k8s.io";

    private static bool Grants(Map rule, string group, string resource, string verb) =>
        rule.StringsAt("apiGroups").Any(g => g == group || g == "*")
        && rule.StringsAt("resources").Any(r => r == resource || r == "*")
        && rule.StringsAt("verbs").Any(v => v == verb || v == "*");

    private static IEnumerable<Map> RolesGranting(string group, string resource, string verb) =>
        Manifests.Cluster.Where(r => r.Kind is "Role" or "ClusterRole")
            .Where(role => role.MapsAt("rules").Any(rule => Grants(rule, group, resource, verb)));

    private static IEnumerable<Map> BindingsOf(Map role) =>
        Manifests.Cluster.Where(b => b.Kind is "RoleBinding" or "ClusterRoleBinding")
            .Where(b => b.Str("roleRef", "kind") == role.Kind && b.Str("roleRef", "name") == role.Name
                        && (role.Kind == "ClusterRole" || b.Namespace == role.Namespace));

    private static string Subject(Map subject) => $"{subject.Str("kind")}:{subject.Str("namespace")}/{subject.Str("name")}";

    private static readonly string BridgeAccount = $"ServiceAccount:{SharedNames.Namespace}/{SharedNames.GatewayBridgeAppId}";

    [Theory]
    [InlineData(GatewayGroup, "httproutes", "patch")]
    [InlineData(GatewayGroup, "httproutes", "update")]
    [InlineData(GatewayGroup, "httproutes", "get")]
    [InlineData(GatewayGroup, "httproutes", "list")]
    [InlineData("gateway.kgateway.dev", "trafficpolicies", "patch")]
    public void Only_gateway_bridges_service_account_is_granted(string group, string resource, string verb)
    {
        var subjects = RolesGranting(group, resource, verb)
            .SelectMany(BindingsOf)
            .SelectMany(b => b.MapsAt("subjects"))
            .Select(Subject)
            .Distinct()
            .ToList();
        Assert.All(subjects, s => Assert.Equal(BridgeAccount, s));
    }

    [Fact]
    public void Gateway_bridge_can_get_list_watch_and_patch_httproutes_of_the_sample_namespace()
    {
        foreach (var verb in new[] { "get", "list", "watch", "patch" })
        {
            var bindings = RolesGranting(GatewayGroup, "httproutes", verb).SelectMany(BindingsOf).ToList();
            Assert.Contains(bindings, b => b.Namespace == "shop" && b.MapsAt("subjects").Select(Subject).Contains(BridgeAccount));
        }
    }

    [Fact]
    public void Route_permissions_are_granted_per_namespace_never_cluster_wide()
    {
        var clusterWide = RolesGranting(GatewayGroup, "httproutes", "patch").SelectMany(BindingsOf)
            .Where(b => b.Kind == "ClusterRoleBinding");
        Assert.Empty(clusterWide);
    }

    [Fact]
    public void Gateway_bridge_cannot_delete_or_create_httproutes()
    {
        Assert.Empty(RolesGranting(GatewayGroup, "httproutes", "delete"));
        Assert.Empty(RolesGranting(GatewayGroup, "httproutes", "create"));
    }

    [Fact]
    public void Only_the_signer_and_the_verifier_may_read_the_approval_signing_key()
    {
        var readers = Manifests.Cluster.Where(r => r.Kind is "Role" or "ClusterRole")
            .Where(role => role.MapsAt("rules").Any(rule => Grants(rule, "", "secrets", "get")))
            .SelectMany(BindingsOf).SelectMany(b => b.MapsAt("subjects")).Select(Subject).Distinct().Order();
        Assert.Equal(
            new[] { SharedNames.GuardrailAppId, SharedNames.GatewayBridgeAppId }.Select(a => $"ServiceAccount:{SharedNames.Namespace}/{a}").Order(),
            readers);
        var secretRules = Manifests.Cluster.Where(r => r.Kind is "Role" or "ClusterRole")
            .SelectMany(role => role.MapsAt("rules")).Where(rule => rule.StringsAt("resources").Contains("secrets"));
        Assert.All(secretRules, rule => Assert.Equal([SharedNames.ApprovalSigningKey], rule.StringsAt("resourceNames")));
    }

    [Fact]
    public void Every_app_runs_as_its_own_service_account()
    {
        var accounts = Manifests.ClusterOfKind("ServiceAccount").Select(a => a.Name).ToHashSet();
        foreach (var appId in SharedNames.AppIds)
        {
            var account = Manifests.DeploymentFor(appId).Required("spec", "template", "spec", "serviceAccountName");
            Assert.Equal(appId, account);
            Assert.Contains(account, accounts);
        }
    }
}
