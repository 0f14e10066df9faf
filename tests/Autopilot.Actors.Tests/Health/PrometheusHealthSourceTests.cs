using System.Net;
using System.Text;
using Autopilot.Incidents.Health;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Tests.Health;

/// <summary>The health source against an HTTP server on loopback that answers like the Prometheus query API.</summary>
public sealed class PrometheusHealthSourceTests : IAsyncLifetime
{
    private readonly List<string> _queries = [];
    private WebApplication _prometheus = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _prometheus = builder.Build();
        _prometheus.MapGet("/api/v1/query", (string query) =>
        {
            lock (_queries) _queries.Add(query);
            if (query.Contains("broken")) return Results.Text("""{"status":"error","errorType":"bad_data","error":"parse error"}""", "application/json", Encoding.UTF8, 400);
            var value = query.Contains("code=~") ? ("0.4", "0.001") : query.Contains("histogram_quantile") ? ("250", "120") : query.Contains("restarts") ? ("3", "0") : ("10", "90");
            return Results.Text($$$"""
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"version":"checkout-v2"},"value":[1764064800.0,"{{{value.Item1}}}"]},
                  {"metric":{"version":"checkout-v1"},"value":[1764064800.0,"{{{value.Item2}}}"]},
                  {"metric":{"version":"checkout-v3"},"value":[1764064800.0,"NaN"]}]}}
                """, "application/json");
        });
        await _prometheus.StartAsync();
        _url = _prometheus.Urls.First();
    }

    public async Task DisposeAsync() => await _prometheus.DisposeAsync();

    private PrometheusHealthSource Source(HealthOptions? options = null)
    {
        options ??= new HealthOptions();
        options.PrometheusUrl = _url;
        return new PrometheusHealthSource(new HttpClient(), Options.Create(options), TimeProvider.System);
    }

    private static RouteState Route() => new(new RouteRef("shop", "checkout"), "1",
        [new RouteRule(0, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)])], "checkout-v1", new Dictionary<string, string>());

    [Fact]
    public async Task Reads_each_metric_per_version_of_the_route()
    {
        var snapshots = await Source().ReadAsync(new WorkloadKey("shop", "checkout"), Route(), CancellationToken.None);

        Assert.Equal(["checkout-v1", "checkout-v2"], snapshots.Select(s => s.Version));
        var canary = snapshots.Single(s => s.Version == "checkout-v2");
        Assert.Equal(0.4, canary.ErrorRatio);
        Assert.Equal(250, canary.P99LatencyMs);
        Assert.Equal(10, canary.RequestsPerSecond);
        Assert.Equal(3, canary.Restarts);
        Assert.Equal(4, _queries.Count);
        Assert.All(_queries, q => Assert.Contains("namespace=\"shop\",workload=\"checkout\"", q));
        Assert.Contains(_queries, q => q.Contains("[1m]"));
    }

    [Fact]
    public async Task Without_a_route_reports_every_version_prometheus_knows_with_nan_as_no_data()
    {
        var snapshots = await Source().ReadAsync(new WorkloadKey("shop", "checkout"), null, CancellationToken.None);

        Assert.Equal(["checkout-v1", "checkout-v2", "checkout-v3"], snapshots.Select(s => s.Version));
        Assert.True(double.IsNaN(snapshots.Single(s => s.Version == "checkout-v3").ErrorRatio));
    }

    [Fact]
    public void Escapes_label_values_in_templates()
    {
        var rendered = Source().Render("x{namespace=\"{namespace}\",workload=\"{workload}\"}[{window}]", new WorkloadKey("shop", "we\"ird"));

        Assert.Equal("x{namespace=\"shop\",workload=\"we\\\"ird\"}[1m]", rendered);
    }

    [Fact]
    public async Task A_query_prometheus_rejects_fails_with_the_query_named()
    {
        var source = Source(new HealthOptions { ErrorRatioQuery = "broken{workload=\"{workload}\"}" });

        var e = await Assert.ThrowsAsync<PrometheusQueryException>(() => source.ReadAsync(new WorkloadKey("shop", "checkout"), Route(), CancellationToken.None));

        Assert.Contains("broken", e.Query);
        Assert.Contains("400", e.Message);
    }
}
