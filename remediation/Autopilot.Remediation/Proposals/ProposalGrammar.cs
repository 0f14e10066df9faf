using System.Globalization;
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
        if (shape.Actions.Any(ProposalShape.RouteActions.Contains)) rules.Add(("route", GbnfText.Literal(JsonString(context.Route))));
        // Printable ASCII without '"' and '\': no escapes, and no multi-byte characters a byte-level sampler could
        // leave half-written (invalid UTF-8 that would decode longer than the grammar counted).
        // It starts with a visible character: a blank reason explains nothing.
        var subjects = context.UsableSubjects;
        if (subjects.Count == 0)
            rules.Add(("reason", $"\"\\\"\" [!#-\\[\\]-~] [ !#-\\[\\]-~]{{0,{ProposalLimits.MaxReasonLength - 1}}} \"\\\"\""));
        else
        {
            // What the reason is about comes first and is one of this incident's names, spelled exactly.
            // A space ends the subject, so a short subject cannot be the start of a longer name the model makes up.
            // A subject out of bounds is followed by the signal it is out of bounds on.
            var heads = subjects.Select(subject => SubjectHead(subject, context)).ToList();
            rules.Add(("reason", $"\"\\\"\" reason-subject (\" \" [ !#-\\[\\]-~]{{0,{ProposalLimits.MaxReasonLength - 1 - heads.Max(h => h.Length)}}})? \"\\\"\""));
            rules.Add(("reason-subject", string.Join(" | ", heads.Select(h => h.Rule))));
        }

        var text = new StringBuilder()
            .Append("# Proposal grammar for route ").Append(ProposalShape.HasRoute(context) ? context.Route.ReplaceLineEndings(" ") : "(none)")
            .Append("; actions: ").AppendJoin(", ", shape.Actions).Append('\n');
        foreach (var (name, body) in rules) text.Append(name).Append(" ::= ").Append(body).Append('\n');
        return text.ToString();
    }

    /// <summary>A subject as the reason starts with it, and its longest spelling in characters.</summary>
    private static (string Rule, int Length) SubjectHead(string subject, ProposalContext context)
    {
        if (!context.SubjectSignals.TryGetValue(subject, out var signals) || signals.Count == 0)
            return (GbnfText.Literal(subject), subject.Length);
        var stable = subject == context.StableBackend ? " (stable)" : "";
        var rule = $"({GbnfText.Literal(subject + stable + " ")} ({string.Join(" | ", signals.Select(GbnfText.Literal))}))";
        return (rule, subject.Length + stable.Length + 1 + signals.Max(w => w.Length));
    }

    /// <summary>
    /// The longest answer the grammar admits, in UTF-8 bytes. Every token a model writes is at least one byte, so a
    /// token budget this large never cuts a well-formed answer short (a cut answer is invalid, and the loop falls back).
    /// </summary>
    public static int LongestAnswer(IReadOnlyList<AllowedAction> allowed, ProposalContext context)
    {
        var shape = ProposalShape.Of(allowed, context);
        if (shape.Actions.Count == 0) return 0;
        static int Bytes(string text) => Encoding.UTF8.GetByteCount(text);
        var route = Bytes(",\"route\":" + JsonString(context.Route));
        int Fields(string action) => action switch
        {
            // "name":100 per backend, commas between them.
            ActionNames.ShiftTraffic => route + Bytes(",\"weights\":{}") + shape.ShiftWeights.Sum(w => Bytes(JsonString(w.Backend)) + 5),
            ActionNames.RollbackCanary => route,
            ActionNames.IsolateBackend => route + Bytes(",\"backend\":") + shape.IsolateCandidates.Max(b => Bytes(JsonString(b))),
            ActionNames.SetRateLimit => route + Bytes(",\"requests_per_second\":") +
                shape.MaxRequestsPerSecond.ToString(CultureInfo.InvariantCulture).Length,
            _ => 0,
        };
        var reason = Bytes(",\"reason\":\"\"}") + ProposalLimits.MaxReasonLength;
        return shape.Actions.Max(a => Bytes($"{{\"action\":{JsonString(a)}") + Fields(a)) + reason;
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
                yield return (RuleName(action),
                    $"{GbnfText.Literal(head + ",\"route\":")} route {GbnfText.Literal(",\"weights\":{")} weights {GbnfText.Literal("},\"reason\":")} reason \"}}\"");
                foreach (var rule in WeightRules(shape.ShiftWeights)) yield return rule;
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

    /// <summary>
    /// With one or two backends every admissible weighting is listed, so the grammar itself makes the weights sum
    /// to 100 (the common stable + canary route). With more, the list would grow quadratically: each weight gets its
    /// bounded range and the parser checks the sum.
    /// </summary>
    private static IEnumerable<(string, string)> WeightRules(IReadOnlyList<WeightRange> ranges)
    {
        string Pair(int i, int weight) => JsonString(ranges[i].Backend) + ":" + weight.ToString(CultureInfo.InvariantCulture);
        if (ranges.Count == 1)
        {
            yield return ("weights", GbnfText.Literal(Pair(0, 100)));
            yield break;
        }
        if (ranges.Count == 2)
        {
            var from = Math.Max(ranges[0].Min, 100 - ranges[1].Max);
            var to = Math.Min(ranges[0].Max, 100 - ranges[1].Min);
            yield return ("weights", string.Join(" | ",
                Enumerable.Range(from, to - from + 1).Select(w => GbnfText.Literal(Pair(0, w) + "," + Pair(1, 100 - w)))));
            yield break;
        }
        var body = new StringBuilder();
        for (var i = 0; i < ranges.Count; i++)
        {
            var prefix = (i == 0 ? "" : ",") + JsonString(ranges[i].Backend) + ":";
            body.Append(i == 0 ? "" : " ").Append(GbnfText.Literal(prefix)).Append(" weight-").Append(i);
        }
        yield return ("weights", body.ToString());
        for (var i = 0; i < ranges.Count; i++)
            yield return ($"weight-{i}", GbnfText.IntegerRange(ranges[i].Min, ranges[i].Max));
    }

    internal static string JsonString(string value) => JsonSerializer.Serialize(value, ProposalJson.Options);
}
