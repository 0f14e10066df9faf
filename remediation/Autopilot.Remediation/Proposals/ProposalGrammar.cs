using System.Text;
using System.Text.Json;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// Builds the llama.cpp GBNF grammar (root rule <c>root</c>) that constrains the model to ONE compact proposal
/// the SOP allows for this route: only allowed actions, the route fixed, backend names from the route, integer
/// weights and rates inside the SOP's bounds, and a short reason with no escapes or control characters.
/// Anything the grammar admits is valid JSON that <see cref="ProposalParser"/> accepts, except that the grammar
/// cannot make weights sum to 100; the parser checks that.
/// </summary>
public static class ProposalGrammar
{
    public const string RootRule = "root";

    /// <exception cref="ArgumentException">No action the SOP allows can be expressed for this route
    /// (the caller should escalate without asking the model).</exception>
    public static string Build(IReadOnlyList<AllowedAction> allowed, ProposalContext context)
    {
        var shape = ProposalShape.Of(allowed, context);
        if (shape.Actions.Count == 0)
            throw new ArgumentException(NothingExpressible(shape), nameof(allowed));

        var rules = new List<(string Name, string Body)>
        {
            (RootRule, string.Join(" | ", shape.Actions.Select(RuleName))),
        };
        foreach (var action in shape.Actions) rules.AddRange(RulesFor(action, shape));
        rules.Add(("route", GbnfText.Literal(JsonString(context.Route))));
        rules.Add(("reason", $"\"\\\"\" [^\"\\\\\\x00-\\x1F\\x7F]{{1,{ProposalLimits.MaxReasonLength}}} \"\\\"\""));

        var text = new StringBuilder()
            .Append("# Proposal grammar for route ").Append(context.Route.ReplaceLineEndings(" "))
            .Append("; actions: ").AppendJoin(", ", shape.Actions).Append('\n');
        foreach (var (name, body) in rules) text.Append(name).Append(" ::= ").Append(body).Append('\n');
        return text.ToString();
    }

    internal static string NothingExpressible(ProposalShape shape)
    {
        var why = shape.Unavailable.Count == 0
            ? "the SOP allows none of: " + string.Join(", ", ActionNames.All)
            : string.Join("; ", shape.Unavailable.Select(u => $"{u.Key}: {u.Value}"));
        return $"No proposal can be expressed for route {shape.Context.Route}: {why}.";
    }

    private static string RuleName(string action) => action.Replace('_', '-');

    private static IEnumerable<(string, string)> RulesFor(string action, ProposalShape shape)
    {
        var head = $"{{\"action\":{JsonString(action)}";
        switch (action)
        {
            case ActionNames.ShiftTraffic:
                var body = new StringBuilder(GbnfText.Literal(head + ",\"route\":")).Append(" route ");
                for (var i = 0; i < shape.ShiftWeights.Count; i++)
                {
                    var prefix = (i == 0 ? ",\"weights\":{" : ",") + JsonString(shape.ShiftWeights[i].Backend) + ":";
                    body.Append(GbnfText.Literal(prefix)).Append(" weight-").Append(i).Append(' ');
                }
                body.Append(GbnfText.Literal("},\"reason\":")).Append(" reason \"}\"");
                yield return (RuleName(action), body.ToString());
                for (var i = 0; i < shape.ShiftWeights.Count; i++)
                    yield return ($"weight-{i}", GbnfText.IntegerRange(shape.ShiftWeights[i].Min, shape.ShiftWeights[i].Max));
                break;
            case ActionNames.RollbackCanary:
                yield return (RuleName(action), $"{GbnfText.Literal(head + ",\"route\":")} route {GbnfText.Literal(",\"reason\":")} reason \"}}\"");
                break;
            case ActionNames.IsolateBackend:
                yield return (RuleName(action),
                    $"{GbnfText.Literal(head + ",\"route\":")} route {GbnfText.Literal(",\"backend\":")} isolate-target {GbnfText.Literal(",\"reason\":")} reason \"}}\"");
                yield return ("isolate-target", string.Join(" | ", shape.IsolateCandidates.Select(b => GbnfText.Literal(JsonString(b)))));
                break;
            case ActionNames.SetRateLimit:
                yield return (RuleName(action),
                    $"{GbnfText.Literal(head + ",\"route\":")} route {GbnfText.Literal(",\"requests_per_second\":")} requests-per-second {GbnfText.Literal(",\"reason\":")} reason \"}}\"");
                yield return ("requests-per-second", GbnfText.IntegerRange(shape.MinRequestsPerSecond, shape.MaxRequestsPerSecond));
                break;
            case ActionNames.Escalate or ActionNames.NoAction:
                yield return (RuleName(action), $"{GbnfText.Literal(head + ",\"reason\":")} reason \"}}\"");
                break;
        }
    }

    internal static string JsonString(string value) => JsonSerializer.Serialize(value, ProposalJson.Options);
}
