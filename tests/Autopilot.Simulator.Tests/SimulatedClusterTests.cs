using Microsoft.Extensions.Time.Testing;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Metrics;
using Autopilot.Simulator.Routes;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Tests;

public sealed class SimulatedClusterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryRouteWeights _routes = new();
    private readonly SimulatedCluster _cluster;
    private readonly WorkloadSpec _checkout = WorkloadSpec.Checkout(requestsPerSecond: 50);

    public SimulatedClusterTests()
    {
        _cluster = new SimulatedCluster(_routes, _time);
        _cluster.Add(_checkout);
        _routes.Set(_checkout.Route, _checkout.InitialWeights);
    }

    [Fact]
    public void Traffic_splits_by_the_current_route_weights()
    {
        Run(TimeSpan.FromSeconds(10));
        Assert.Equal(450, Version("checkout-v1").Requests);
        Assert.Equal(50, Version("checkout-v2").Requests);

        _routes.Set(_checkout.Route, [new BackendWeight("checkout-v1", 100), new BackendWeight("checkout-v2", 0)]);
        Run(TimeSpan.FromSeconds(10));
        Assert.Equal(950, Version("checkout-v1").Requests);
        Assert.Equal(50, Version("checkout-v2").Requests);
    }

    [Fact]
    public void Error_fault_fails_only_its_version_and_stops_when_cleared()
    {
        _cluster.Inject(_checkout.Key, new ErrorRateFault("f", "checkout-v2", 0.4));
        Run(TimeSpan.FromSeconds(10));
        Assert.InRange(Version("checkout-v2").ServerErrors, 19, 21);
        Assert.InRange(Version("checkout-v1").ServerErrors, 0, 1);

        Assert.True(_cluster.Clear(_checkout.Key, "f"));
        var before = Version("checkout-v2").ServerErrors;
        Run(TimeSpan.FromSeconds(10));
        Assert.InRange(Version("checkout-v2").ServerErrors - before, 0, 1);
    }

    [Fact]
    public void Dependency_outage_fails_every_version_with_503_and_reports_the_dependency_down()
    {
        _cluster.Inject(_checkout.Key, new DependencyOutageFault("db", "payments-db", 0.5));
        Run(TimeSpan.FromSeconds(10));
        var snapshot = _cluster.Snapshot().Single();
        Assert.All(snapshot.Versions, v => Assert.True(v.RequestsByCode.GetValueOrDefault("503") >= v.Requests * 0.45));
        Assert.False(snapshot.DependencyUp["payments-db"]);
    }

    [Fact]
    public void Latency_fault_moves_the_p99_of_its_version_only()
    {
        _cluster.Inject(_checkout.Key, new LatencyFault("slow", "checkout-v2", 600));
        Run(TimeSpan.FromSeconds(10));
        Assert.True(Version("checkout-v2").Latency.Quantile(0.99) > 0.5);
        Assert.True(Version("checkout-v1").Latency.Quantile(0.99) < 0.25);
    }

    [Fact]
    public void Surge_multiplies_traffic_and_crash_loop_counts_restarts()
    {
        _cluster.Inject(_checkout.Key, new SurgeFault("surge", 4));
        _cluster.Inject(_checkout.Key, new CrashLoopFault("crash", "checkout-v2", 30, 0));
        Run(TimeSpan.FromSeconds(10));
        Assert.Equal(2000, _cluster.Get(_checkout.Key).Totals.Requests);
        Assert.Equal(5, Version("checkout-v2").Restarts);
        Assert.Equal(0, Version("checkout-v1").Restarts);
    }

    [Fact]
    public void Certificate_fault_sets_the_expiry_and_clearing_it_renews_the_certificate()
    {
        _cluster.Inject(_checkout.Key, new CertificateExpiryFault("cert", TimeSpan.FromDays(2)));
        Assert.Equal(TimeSpan.FromDays(2).TotalSeconds, _cluster.Snapshot().Single().CertificateExpirySeconds, 1);
        _cluster.Clear(_checkout.Key, "cert");
        Assert.Equal(TimeSpan.FromDays(90).TotalSeconds, _cluster.Snapshot().Single().CertificateExpirySeconds, 1);
    }

    [Fact]
    public void Metrics_endpoint_text_carries_every_series_with_the_shared_labels()
    {
        Run(TimeSpan.FromSeconds(2));
        var text = PrometheusTextFormat.Render(_cluster.Snapshot());
        Assert.Contains("http_requests_total{namespace=\"shop\",workload=\"checkout\",version=\"checkout-v2\",code=\"200\"} 10", text);
        Assert.Contains("http_request_duration_seconds_bucket{namespace=\"shop\",workload=\"checkout\",version=\"checkout-v1\",le=\"+Inf\"} 90", text);
        Assert.Contains("http_request_duration_seconds_count{namespace=\"shop\",workload=\"checkout\",version=\"checkout-v1\"} 90", text);
        Assert.Contains("kube_pod_container_status_restarts_total{namespace=\"shop\",workload=\"checkout\",version=\"checkout-v1\"} 0", text);
        Assert.Contains("certificate_expiry_seconds{namespace=\"shop\",workload=\"checkout\"} ", text);
        Assert.Contains("dependency_up{namespace=\"shop\",workload=\"checkout\",dependency=\"payments-db\"} 1", text);
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text);
    }

    [Fact]
    public void Histogram_quantile_interpolates_inside_the_bucket_like_promql()
    {
        var histogram = new LatencyHistogram();
        histogram.Observe(0.2, 100); // all in the (0.1, 0.25] bucket
        Assert.Equal(0.1 + 0.15 * 0.5, histogram.Snapshot().Quantile(0.5), 6);
        Assert.True(double.IsNaN(HistogramSnapshot.Empty.Quantile(0.99)));
    }

    private void Run(TimeSpan duration)
    {
        for (var t = TimeSpan.Zero; t < duration; t += TimeSpan.FromMilliseconds(250))
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            _cluster.Advance();
        }
    }

    private VersionSnapshot Version(string name) => _cluster.Snapshot().Single().Versions.Single(v => v.Version == name);
}
