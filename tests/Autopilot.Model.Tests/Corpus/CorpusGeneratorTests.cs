using Autopilot.Testing;
using Autopilot.Decisions;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Generation;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Model.Tests.Corpus;

public sealed class CorpusGeneratorTests
{
    private static readonly string[] ShippedSops =
    [
        "alert-flapping", "all-versions-failing", "canary-high-error-rate", "canary-latency-regression", "certificate-expiring-soon",
        "dependency-outage", "pod-crash-looping", "traffic-surge",
    ];

    [Fact]
    public void The_same_seed_generates_the_same_cases()
    {
        var first = CorpusGenerator.Generate(60, 7, heldOut: false, "x").Select(c => System.Text.Json.JsonSerializer.Serialize(c, CaseFiles.Json));
        var second = CorpusGenerator.Generate(60, 7, heldOut: false, "x").Select(c => System.Text.Json.JsonSerializer.Serialize(c, CaseFiles.Json));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Every_shipped_sop_no_sop_and_unconfirmed_alerts_are_covered_in_both_splits()
    {
        foreach (var cases in new[] { CorpusGenerator.Train(400), CorpusGenerator.HeldOut(300) })
        {
            Assert.All(ShippedSops, sop => Assert.Contains(cases, c => c.Sop == sop));
            Assert.Contains(cases, c => c.Sop is null && c.Expect.Prescribed == ActionNames.Escalate);
            // Healthy at triage: the metrics do not confirm the alert, so nothing may change traffic.
            Assert.Contains(cases, c => c.Note!.Contains("not confirmed") && c.Expect.Actions.All(a => a is ActionNames.Escalate or ActionNames.NoAction));
            Assert.All(cases, c => Assert.Null(CaseFiles.Problem(c)));
        }
    }

    [Fact]
    public void Held_out_backend_names_never_occur_in_the_train_split()
    {
        static IEnumerable<string> Names(IEnumerable<DecisionCase> cases) =>
            cases.SelectMany(c => c.Metrics.Select(m => m.Version).Append(c.Workload));
        var train = Names(CorpusGenerator.Train()).ToHashSet(StringComparer.Ordinal);
        var heldOut = Names(CorpusGenerator.HeldOut()).ToList();
        Assert.DoesNotContain(heldOut, train.Contains);
    }

    [Fact]
    public void The_committed_corpus_is_what_the_generator_makes()
    {
        // `./autopilot cases generate` wrote these files; a changed generator must regenerate them.
        var root = Repo.Root;
        var train = CaseFiles.Read(Path.Combine(root, ShippedModel.TrainCases, "generated.jsonl"));
        var heldOut = CaseFiles.Read(Path.Combine(root, ShippedModel.HeldOutCases, "generated.jsonl"));
        Assert.True(train.Count >= 2000, $"{train.Count} train cases");
        Assert.True(heldOut.Count >= 300, $"{heldOut.Count} held-out cases");
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(CorpusGenerator.HeldOut(heldOut.Count), CaseFiles.Json),
            System.Text.Json.JsonSerializer.Serialize(heldOut, CaseFiles.Json));
        Assert.Empty(train.Select(c => c.Id).Intersect(heldOut.Select(c => c.Id)));
    }

    [Fact]
    public void Each_target_is_an_acceptable_answer_that_names_what_the_reason_must_name()
    {
        foreach (var c in CorpusGenerator.Train(300).Where(c => c.Target is not null))
        {
            using var json = System.Text.Json.JsonDocument.Parse(c.Target!);
            var action = json.RootElement.GetProperty("action").GetString();
            var reason = json.RootElement.GetProperty("reason").GetString()!;
            Assert.Contains(action, c.Expect.Actions);
            Assert.All(c.Expect.ReasonNames, name => Assert.Contains(name, reason, StringComparison.OrdinalIgnoreCase));
            Assert.True(reason.Length <= ProposalLimits.MaxReasonLength, c.Id);
        }
    }

    [Fact]
    public void The_train_split_adds_contrast_cases_the_held_out_split_keeps_the_natural_mix()
    {
        var train = CorpusGenerator.Train(1000);
        var heldOut = CorpusGenerator.HeldOut(1000);

        Assert.Equal(1000, train.Count);
        Assert.Equal(train.Count, train.Select(c => c.Id).Distinct().Count());
        var trainShare = train.Count(CorpusGenerator.IsContrast) / (double)train.Count;
        var heldOutShare = heldOut.Count(CorpusGenerator.IsContrast) / (double)heldOut.Count;
        Assert.InRange(heldOutShare, 0.1, 0.25);
        Assert.True(trainShare >= heldOutShare + 0.1, $"train {trainShare:P1}, held-out {heldOutShare:P1}");
    }
}
