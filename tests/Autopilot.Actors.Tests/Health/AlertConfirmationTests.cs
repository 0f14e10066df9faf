using Autopilot.Incidents.Health;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Actors.Tests.Health;

public sealed class AlertConfirmationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T10:00:00Z");
    private static readonly HealthBounds Bounds = new(0.05, 1000, 2);

    private static Alert Alert(string name, string? version = null)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = name, ["namespace"] = "shop", ["workload"] = "checkout" };
        if (version is not null) labels["version"] = version;
        return new Alert("fp-" + name, AlertStatus.Firing, labels, new Dictionary<string, string>(), Now, null, null);
    }

    private static ConfirmationResult Check(Alert alert, IReadOnlyList<MetricSnapshot> metrics, Confirmation? sop = null) =>
        AlertConfirmation.Check([alert], metrics, Bounds.Judge(metrics, "checkout-v1").Where(j => j.Value.Count > 0).ToDictionary(j => j.Key, j => j.Value), sop);

    private static MetricSnapshot M(string version, double errors, double p99 = 40, double rps = 10, int restarts = 0) => new(version, errors, p99, rps, restarts, Now);

    [Fact]
    public void An_alert_naming_a_backend_is_confirmed_only_by_that_backend_out_of_bounds()
    {
        var canaryFails = Check(Alert("CanaryHighErrorRate", "checkout-v2"), [M("checkout-v1", 0.001), M("checkout-v2", 0.4)]);
        var otherFails = Check(Alert("CanaryHighErrorRate", "checkout-v2"), [M("checkout-v1", 0.3), M("checkout-v2", 0.001)]);

        Assert.True(canaryFails.Confirmed);
        Assert.Equal("confirmed: checkout-v2 err>5% (named by CanaryHighErrorRate)", canaryFails.Summary);
        Assert.False(otherFails.Confirmed);
        Assert.Contains("checkout-v2 err 0.001", otherFails.Summary);
    }

    [Fact]
    public void No_measurement_confirms_nothing()
    {
        Assert.False(Check(Alert("CanaryHighErrorRate", "checkout-v2"), []).Confirmed);
        var missingBackend = Check(Alert("CanaryHighErrorRate", "checkout-v3"), [M("checkout-v1", 0.001)]);
        Assert.False(missingBackend.Confirmed);
        Assert.Contains("checkout-v3 has no measurement (no data)", missingBackend.Summary);
    }

    [Fact]
    public void An_alert_naming_no_backend_needs_some_backend_out_of_bounds()
    {
        Assert.True(Check(Alert("AllVersionsFailing"), [M("checkout-v1", 0.5), M("checkout-v2", 0.5)]).Confirmed);
        Assert.False(Check(Alert("AllVersionsFailing"), [M("checkout-v1", 0.01), M("checkout-v2", 0.01)]).Confirmed);
    }

    [Fact]
    public void A_crash_looping_backend_is_confirmed_by_its_restarts_without_traffic()
    {
        Assert.True(Check(Alert("PodCrashLooping", "checkout-v2"), [M("checkout-v1", 0.001), M("checkout-v2", double.NaN, double.NaN, 0, restarts: 5)]).Confirmed);
    }

    [Fact]
    public void The_sop_decides_when_the_metrics_do_not_measure_the_condition()
    {
        var healthy = new[] { M("checkout-v1", 0.001), M("checkout-v2", 0.001) };
        Assert.True(Check(Alert("CertificateExpiringSoon"), healthy, Confirmation.Nothing).Confirmed);
        Assert.True(Check(Alert("CertificateExpiringSoon"), [], Confirmation.Nothing).Confirmed);
        // any_backend ignores which backend the alert names.
        Assert.True(Check(Alert("Custom", "checkout-v2"), [M("checkout-v1", 0.3), M("checkout-v2", 0.001)], Confirmation.AnyBackend).Confirmed);
    }
}
