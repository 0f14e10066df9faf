using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Changes;
using static Autopilot.GatewayBridge.Tests.TestCluster;

namespace Autopilot.GatewayBridge.Tests;

public sealed class GatewayBridgeTelemetryTests
{
    [Fact]
    public async Task Each_change_is_a_span_and_applied_and_refused_changes_are_counted()
    {
        await using var cluster = await StartAsync();
        var bridge = cluster.Bridge();
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == GatewayBridgeTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        var counts = new ConcurrentDictionary<string, long>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayBridgeTelemetry.Name) listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var reason = tags.ToArray().FirstOrDefault(t => t.Key == "reason").Value;
            counts.AddOrUpdate($"{instrument.Name}{(reason is null ? "" : ":" + reason)}", value, (_, total) => total + value);
        });
        meters.Start();

        var change = Shift("chg-telemetry", 90, 100);
        await bridge.ApplyAsync(change, cluster.Sign(change));
        await Assert.ThrowsAsync<GatewayBridgeException>(() => bridge.ApplyAsync(Shift("chg-unsigned", 100, 50), ""));

        var applied = Assert.Single(spans, s => (string?)s.GetTagItem("autopilot.change.id") == "chg-telemetry");
        Assert.Equal("gateway-bridge apply-change", applied.OperationName);
        Assert.Equal("shop/checkout", applied.GetTagItem("autopilot.route"));
        Assert.Equal("Applied", applied.GetTagItem("autopilot.change.outcome"));
        var refused = Assert.Single(spans, s => (string?)s.GetTagItem("autopilot.change.id") == "chg-unsigned");
        Assert.Equal(ActivityStatusCode.Error, refused.Status);
        Assert.True(counts.GetValueOrDefault("autopilot.gateway_bridge.changes.applied") >= 1);
        Assert.True(counts.GetValueOrDefault("autopilot.gateway_bridge.changes.refused:approval_missing") >= 1);
    }
}
