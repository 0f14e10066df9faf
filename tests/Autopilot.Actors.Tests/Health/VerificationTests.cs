using Autopilot.Incidents.Health;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;

namespace Autopilot.Actors.Tests.Health;

/// <summary>Verification judges the backends that were out of bounds, on samples taken after the change.</summary>
public sealed class VerificationTests
{
    private static readonly DateTimeOffset Triage = DateTimeOffset.Parse("2026-11-25T10:00:00Z");
    private static readonly DateTimeOffset Changed = Triage.AddSeconds(1);
    private static readonly DateTimeOffset Later = Triage.AddSeconds(31);
    private readonly HealthJudge _judge = new(new HealthOptions());

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> CanaryErrors =
        new Dictionary<string, IReadOnlyList<string>> { ["checkout-v2"] = ["err>5%"] };

    private static MetricSnapshot M(string version, double errors, double rps, DateTimeOffset at, double p99 = 40) => new(version, errors, p99, rps, 0, at);

    private static RouteState Route(int stable, int canary) =>
        new(new RouteRef("shop", "checkout"), "1", [new RouteRule(0, [new("checkout-v1", stable), new("checkout-v2", canary)])], "checkout-v1", new Dictionary<string, string>());

    private static readonly MetricSnapshot[] AtTriage = [M("checkout-v1", 0.001, 45, Triage), M("checkout-v2", 0.4, 5, Triage)];

    [Fact]
    public void A_canary_averaged_under_the_threshold_still_counts_and_a_no_op_is_not_improved()
    {
        // 10 % of the traffic at 40 % errors averages 4 %: healthy by the workload average, not per backend.
        var unchanged = _judge.Verify(AtTriage, CanaryErrors, [M("checkout-v1", 0.001, 45, Later), M("checkout-v2", 0.4, 5, Later)], Route(90, 10), Changed);

        Assert.Equal(HealthVerdict.NotImproved, unchanged.Verdict);
        Assert.False(unchanged.Healthy);
        Assert.Contains("checkout-v2: traffic share 10% → 10%, 5xx 2/s → 2/s, error ratio 0.4 → 0.4", unchanged.Summary);
    }

    [Fact]
    public void Less_traffic_or_fewer_errors_on_the_faulty_backend_is_improved()
    {
        var lessTraffic = _judge.Verify(AtTriage, CanaryErrors, [M("checkout-v1", 0.001, 48, Later), M("checkout-v2", 0.4, 2, Later)], Route(100, 0), Changed);
        var fixedBuild = _judge.Verify(AtTriage, CanaryErrors, [M("checkout-v1", 0.001, 45, Later), M("checkout-v2", 0.1, 5, Later)], Route(90, 10), Changed);

        Assert.Equal(HealthVerdict.Improved, lessTraffic.Verdict);
        Assert.Contains("(less traffic)", lessTraffic.Summary);
        Assert.Equal(HealthVerdict.Improved, fixedBuild.Verdict);
        Assert.Contains("error ratio 0.4 → 0.1", fixedBuild.Summary);
        Assert.Contains("(fewer errors)", fixedBuild.Summary);
    }

    [Fact]
    public void A_faulty_backend_without_samples_is_improved_only_when_the_route_gives_it_nothing()
    {
        var stableOnly = new[] { M("checkout-v1", 0.001, 50, Later) };

        var off = _judge.Verify(AtTriage, CanaryErrors, stableOnly, Route(100, 0), Changed);
        var blind = _judge.Verify(AtTriage, CanaryErrors, stableOnly, Route(90, 10), Changed);

        Assert.Equal(HealthVerdict.Improved, off.Verdict);
        Assert.True(off.Healthy);
        Assert.Equal(HealthVerdict.Unknown, blind.Verdict);
    }

    [Fact]
    public void Samples_older_than_the_change_or_none_at_all_are_unknown()
    {
        Assert.Equal(HealthVerdict.Unknown, _judge.Verify(AtTriage, CanaryErrors, AtTriage, Route(100, 0), Changed).Verdict);
        Assert.Equal(HealthVerdict.Unknown, _judge.Verify(AtTriage, CanaryErrors, [], Route(100, 0), Changed).Verdict);
    }

    [Fact]
    public void A_backend_pushed_out_of_bounds_by_the_change_means_it_did_not_help()
    {
        var overloaded = _judge.Verify(AtTriage, CanaryErrors, [M("checkout-v1", 0.5, 50, Later)], Route(100, 0), Changed);

        Assert.Equal(HealthVerdict.NotImproved, overloaded.Verdict);
        Assert.Contains("checkout-v1: newly out of bounds (err>5%)", overloaded.Summary);
    }

    [Fact]
    public void Restarts_that_already_happened_do_not_keep_a_fixed_backend_unhealthy()
    {
        var crashLoop = new Dictionary<string, IReadOnlyList<string>> { ["checkout-v2"] = ["restarts>2"] };
        var restarted = new MetricSnapshot("checkout-v2", 0.001, 40, 5, 30, Later);

        var check = _judge.Verify(AtTriage, crashLoop, [M("checkout-v1", 0.001, 45, Later), restarted], Route(90, 10), Changed);

        Assert.True(check.Healthy);
        Assert.Equal(HealthVerdict.Improved, check.Verdict);
    }
}
