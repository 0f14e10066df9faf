using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Tests.Policies;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Proposals;

/// <summary>The grammar for every shipped SOP, on the sample route, admits exactly what that SOP allows.</summary>
public class ShippedSopGrammarTests
{
    public static TheoryData<string> ShippedSops()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(PolicySetTests.RepositoryPath("sops"), "*.md", SearchOption.AllDirectories).Order())
        {
            // Post-mortems inform retrieval but allow no action; only SOPs constrain the model.
            var relative = Path.GetRelativePath(PolicySetTests.RepositoryPath(""), file);
            if (Load(relative).AllowedActions.Count > 0) data.Add(relative);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedSops))]
    public void Grammar_for_a_shipped_sop_admits_only_its_actions(string relativePath)
    {
        var sop = Load(relativePath);
        var context = ProposalContext.From(Checkout9010);
        var allowed = sop.AllowedActions.Select(a => a.Action).ToHashSet();

        var grammar = new GbnfRecognizer(ProposalGrammar.Build(sop.AllowedActions, context));

        foreach (var action in ActionNames.All)
        {
            var admitted = grammar.Accepts(ProposalJson.Serialize(Sample(action, sop)));
            Assert.True(admitted == allowed.Contains(action), $"{sop.Id}: {action} admitted={admitted}");
        }
        var random = new Random(sop.Id.Length);
        for (var i = 0; i < 10; i++)
        {
            var parsed = ProposalParser.Parse(grammar.Sample(random), sop.AllowedActions, context);
            Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
            Assert.Contains(parsed.Proposal.Action, allowed);
        }
    }

    private static Sop Load(string relativePath) =>
        SopDocument.Parse(File.ReadAllText(PolicySetTests.RepositoryPath(relativePath)), relativePath);

    [Fact]
    public void Every_shipped_sop_is_covered() => Assert.True(ShippedSops().Count >= 8, $"only {ShippedSops().Count} SOPs with actions");

    // A proposal of this action inside the SOP's bounds for the route at 90/10.
    private static Proposal Sample(string action, Sop sop)
    {
        var bounds = sop.AllowedActions.FirstOrDefault(a => a.Action == action);
        return action switch
        {
            ActionNames.SetRateLimit => new SetRateLimit("shop/checkout", bounds?.MinRequestsPerSecond ?? bounds?.MaxRequestsPerSecond ?? 100, "surge"),
            _ => ProposalParserTests.Valid(action) is ShiftTraffic ? Shift(85, 15) : ProposalParserTests.Valid(action),
        };
    }
}
