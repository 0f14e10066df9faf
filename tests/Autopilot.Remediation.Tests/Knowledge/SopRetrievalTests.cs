using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Xunit.Abstractions;

namespace Autopilot.Remediation.Tests.Knowledge;

public sealed class SopRetrievalTests(ITestOutputHelper output) : IDisposable
{
    private readonly SqliteSopIndex _index = SqliteSopIndex.Open(ShippedSops.Directory, Path.Combine(Path.GetTempPath(), $"sop-retrieval-{Guid.NewGuid():N}", "sops.db"));

    public void Dispose()
    {
        _index.Dispose();
        Directory.Delete(Path.GetDirectoryName(_index.IndexFilePath)!, recursive: true);
    }

    [Fact]
    public void Every_shipped_file_is_valid()
    {
        Assert.Empty(_index.Problems);
        Assert.True(_index.Documents.Count(d => d.Kind == KnowledgeKind.Sop) >= 8);
        Assert.True(_index.Documents.Count(d => d.Kind == KnowledgeKind.PostMortem) >= 1);
    }

    [Theory]
    [InlineData("CanaryHighErrorRate", "checkout-v2", "canary-high-error-rate", "rollback_canary", true)]
    [InlineData("CanaryLatencyRegression", "checkout-v2", "canary-latency-regression", "rollback_canary", true)]
    [InlineData("DependencyOutage", null, "dependency-outage", "escalate", true)]
    [InlineData("TrafficSurge", null, "traffic-surge", "escalate", true)]
    [InlineData("AllVersionsFailing", null, "all-versions-failing", "escalate", true)]
    [InlineData("PodCrashLooping", "checkout-v2", "pod-crash-looping", "rollback_canary", false)]
    [InlineData("CertificateExpiringSoon", null, "certificate-expiring-soon", "escalate", true)]
    [InlineData("AlertFlapping", null, "alert-flapping", "no_action", true)]
    public void Picks_the_sop_written_for_each_scenario(string alertName, string? version, string expectedId, string defaultAction, bool safe)
    {
        var alert = AlertFactory.Firing(alertName, version: version);
        var matches = _index.Retrieve(new SopQuery([alert], $"workload shop/checkout; alert firing {alertName}"));

        foreach (var match in matches) output.WriteLine($"{match.Sop.Id} {match.Score:0.###} [{string.Join("; ", match.Reasons)}]");
        var best = Assert.IsType<SopMatch>(matches[0]);
        Assert.Equal(expectedId, best.Sop.Id);
        Assert.Equal(KnowledgeKind.Sop, best.Sop.Kind);
        Assert.Equal(defaultAction, best.Sop.DefaultAction);
        Assert.Equal(safe, best.Sop.DefaultActionSafe);
        Assert.Contains(best.Reasons, r => r.Contains(alertName, StringComparison.Ordinal));
        Assert.True(best.MatchedByRule);
        Assert.Same(best, SopMatch.Authoritative(matches));
        Assert.All(matches.Skip(1), m => Assert.True(m.Score < best.Score));
    }

    [Fact]
    public void Dependency_outage_allows_escalation_only()
    {
        var sop = _index.Documents.Single(d => d.Id == "dependency-outage");
        Assert.Equal([ActionNames.Escalate], sop.AllowedActions.Select(a => a.Action));
    }
}
