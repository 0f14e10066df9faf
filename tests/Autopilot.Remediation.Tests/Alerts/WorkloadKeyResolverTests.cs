using Autopilot.Remediation.Alerts;

namespace Autopilot.Remediation.Tests.Alerts;

public sealed class WorkloadKeyResolverTests
{
    private static Alert WithLabels(params (string Name, string Value)[] labels)
    {
        var map = labels.ToDictionary(l => l.Name, l => l.Value);
        map.TryAdd("alertname", "CanaryHighErrorRate");
        return new Alert(AlertFingerprint.Of(map), AlertStatus.Firing, map, new Dictionary<string, string>(), AlertFactory.Now, null, null);
    }

    [Theory]
    [InlineData("deployment", "checkout")]
    [InlineData("app", "checkout")]
    [InlineData("service", "checkout")]
    [InlineData("workload", "checkout")]
    public void Default_mapping_reads_namespace_and_any_workload_label(string label, string value)
    {
        var resolver = new WorkloadKeyResolver(WorkloadLabelMapping.Default);

        Assert.True(resolver.TryResolve(WithLabels(("namespace", "shop"), (label, value)), out var key));
        Assert.Equal("shop/checkout", key.ToString());
    }

    [Fact]
    public void Earlier_workload_labels_win()
    {
        var resolver = new WorkloadKeyResolver(WorkloadLabelMapping.Default);

        Assert.True(resolver.TryResolve(WithLabels(("namespace", "shop"), ("app", "checkout-frontend"), ("deployment", "checkout")), out var key));
        Assert.Equal(new WorkloadKey("shop", "checkout"), key);
    }

    [Fact]
    public void Custom_mapping_uses_the_configured_labels()
    {
        var resolver = new WorkloadKeyResolver(new WorkloadLabelMapping
        {
            NamespaceLabels = ["exported_namespace", "namespace"],
            WorkloadLabels = ["app_kubernetes_io_name"],
        });

        Assert.True(resolver.TryResolve(WithLabels(("exported_namespace", "shop"), ("namespace", "monitoring"), ("app_kubernetes_io_name", "checkout")), out var key));
        Assert.Equal("shop/checkout", key.ToString());
        Assert.False(resolver.TryResolve(WithLabels(("namespace", "shop"), ("deployment", "checkout")), out _, out var reason));
        Assert.Equal("no workload label (looked for app_kubernetes_io_name)", reason);
    }

    [Fact]
    public void Default_namespace_applies_only_when_no_namespace_label_is_present()
    {
        var resolver = new WorkloadKeyResolver(WorkloadLabelMapping.Default with { DefaultNamespace = "shop" });

        Assert.True(resolver.TryResolve(WithLabels(("app", "checkout")), out var fallback));
        Assert.True(resolver.TryResolve(WithLabels(("namespace", "billing"), ("app", "invoices")), out var labelled));
        Assert.Equal("shop/checkout", fallback.ToString());
        Assert.Equal("billing/invoices", labelled.ToString());
    }

    [Fact]
    public void Unresolvable_alerts_are_reported_with_the_reason()
    {
        var resolver = new WorkloadKeyResolver(WorkloadLabelMapping.Default);
        var good = WithLabels(("namespace", "shop"), ("workload", "checkout"));
        var other = WithLabels(("namespace", "shop"), ("app", "cart"));
        var noNamespace = WithLabels(("workload", "checkout"));
        var noWorkload = WithLabels(("namespace", "shop"), ("pod", "checkout-v2-abc"));
        var badName = WithLabels(("namespace", "Shop_Prod"), ("workload", "checkout"));
        var badWorkload = WithLabels(("namespace", "shop"), ("workload", "check out"));

        var grouping = resolver.Group([good, other, noNamespace, noWorkload, good, badName, badWorkload]);

        Assert.Equal(2, grouping.ByWorkload.Count);
        Assert.Equal(2, grouping.ByWorkload[new WorkloadKey("shop", "checkout")].Count);
        Assert.Single(grouping.ByWorkload[new WorkloadKey("shop", "cart")]);
        Assert.Equal(
            [
                "no namespace label (looked for namespace)",
                "no workload label (looked for deployment, app, service, workload)",
                $"namespace 'Shop_Prod' is not a Kubernetes namespace name ({WorkloadKeyResolver.DnsLabelRule})",
                $"label workload 'check out' is not a Kubernetes object name ({WorkloadKeyResolver.DnsSubdomainRule})",
            ],
            grouping.Unresolved.Select(u => u.Reason));
        Assert.Same(noWorkload, grouping.Unresolved[1].Alert);
    }

    [Fact]
    public void Invalid_mapping_is_rejected_naming_the_key()
    {
        var mapping = new WorkloadLabelMapping { NamespaceLabels = [], WorkloadLabels = ["app", "1bad"], DefaultNamespace = "Not Valid" };

        var problems = mapping.Validate();

        Assert.Equal(3, problems.Count);
        Assert.StartsWith("NamespaceLabels:", problems[0]);
        Assert.StartsWith("WorkloadLabels[1]:", problems[1]);
        Assert.StartsWith("DefaultNamespace:", problems[2]);
        var error = Assert.Throws<ArgumentException>(() => new WorkloadKeyResolver(mapping));
        Assert.Contains("WorkloadLabels[1]", error.Message);
    }
}
