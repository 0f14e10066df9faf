using System.Globalization;

namespace Autopilot.Decisions.Evaluation;

/// <summary>A table as text cells; the console and the Markdown report render the same ones, so they cannot disagree.</summary>
public sealed record TextTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>The tables of a report: figures side by side, accuracy per SOP, confusion matrices, failed cases.</summary>
public static class ReportTables
{
    public const string NotApplicable = "–";

    /// <summary>Rows = figures, columns = models.</summary>
    public static TextTable Comparison(IReadOnlyList<ModelFigures> models)
    {
        (string Figure, Func<ModelFigures, string> Cell)[] rows =
        [
            ("cases", f => f.Cases.ToString(CultureInfo.InvariantCulture)),
            ("action accuracy", f => Format(f.Accuracy)),
            ("accuracy of model-written proposals", f => Format(f.ModelProposalAccuracy)),
            ("parameters within bounds", f => Format(f.WithinBounds)),
            ("invalid output (of model asked)", f => Format(f.InvalidOutput)),
            ("model errors (of model asked)", f => Format(f.ModelErrors)),
            ("fallback (of cases with an SOP)", f => Format(f.Fallback)),
            ("grounded reason", f => Format(f.Grounded)),
            ("planning latency p50 / p99", f => $"{Millis(f.LatencyP50Ms)} / {Millis(f.LatencyP99Ms)}"),
            ("prompt tokens mean / max", f => Format(f.PromptTokens)),
            ("completion tokens mean / max", f => Format(f.CompletionTokens)),
            ("verdicts allowed/denied/approval", f => string.Join(" / ", VerdictOutcomes.All.Select(o => f.Verdicts.GetValueOrDefault(o)))),
            ("policy rules in the way", f => f.VerdictRules.Count == 0 ? NotApplicable : string.Join(", ", f.VerdictRules.Select(r => $"{r.Key} {r.Value}"))),
        ];
        return new TextTable("Models compared", ["figure", .. models.Select(m => m.Model)],
            [.. rows.Select(r => (IReadOnlyList<string>)[r.Figure, .. models.Select(r.Cell)])]);
    }

    /// <summary>Rows = expected SOPs (union over models, "(no SOP)" last), columns = models.</summary>
    public static TextTable BySop(IReadOnlyList<ModelFigures> models)
    {
        var sops = models.SelectMany(m => m.AccuracyBySop.Select(s => s.Sop)).Distinct()
            .OrderBy(s => s == ModelFigures.NoSop).ThenBy(s => s, StringComparer.Ordinal).ToList();
        return new TextTable("Action accuracy per SOP", ["SOP", .. models.Select(m => m.Model)],
            [.. sops.Select(sop => (IReadOnlyList<string>)[sop, .. models.Select(m =>
                m.AccuracyBySop.FirstOrDefault(s => s.Sop == sop) is { } found ? Format(found.Correct) : NotApplicable)])]);
    }

    public static TextTable Confusion(ModelFigures figures)
    {
        var matrix = figures.Confusion;
        return new TextTable($"Confusion matrix: {figures.Model} (rows expected, columns proposed)",
            ["expected ↓ proposed →", .. matrix.Proposed],
            [.. matrix.Expected.Select((e, row) => (IReadOnlyList<string>)[e, .. matrix.Counts[row].Select(Count)])]);
    }

    /// <summary>Cases whose action was wrong or whose parameters broke the case's bounds.</summary>
    public static TextTable Failures(ModelEvaluation evaluation)
    {
        var failed = evaluation.Cases.Where(c => !c.CorrectAction || c.WithinBounds == false).ToList();
        return new TextTable($"Failed cases: {evaluation.Figures.Model} ({failed.Count})",
            ["case", "SOP", "expected", "proposed", "source", "why", "reason"],
            [.. failed.Select(c => (IReadOnlyList<string>)[c.Id, c.Sop ?? ModelFigures.NoSop, Expected(c), c.Action, c.Source, Why(c), c.Reason])]);
    }

    public static string Expected(CaseResult c) =>
        c.ExpectedActions.Count > 0 ? string.Join(" | ", c.ExpectedActions) : "not " + string.Join(", ", c.ForbiddenActions);

    private static string Why(CaseResult c)
    {
        var why = new List<string>();
        if (!c.CorrectAction) why.Add("wrong action");
        if (c.BoundsProblem is { } bounds) why.Add(bounds);
        if (c.ParseError is { } parse) why.Add("invalid output: " + parse);
        if (c.ModelError is { } error) why.Add("model error: " + error);
        if (c.MatchedSop != c.Sop) why.Add($"retrieved SOP {c.MatchedSop ?? "none"}");
        return string.Join("; ", why);
    }

    public static string Format(Ratio ratio) =>
        ratio.Rate is { } rate ? $"{Percent(rate)} ({ratio.Count}/{ratio.Total})" : NotApplicable;

    public static string Percent(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Format(Spread spread) =>
        spread.Mean is { } mean ? $"{mean.ToString("0.0", CultureInfo.InvariantCulture)} / {spread.Max}" : NotApplicable;

    private static string Millis(double? ms) => ms is { } value ? value.ToString("0", CultureInfo.InvariantCulture) + " ms" : NotApplicable;

    private static string Count(int count) => count == 0 ? "·" : count.ToString(CultureInfo.InvariantCulture);
}
