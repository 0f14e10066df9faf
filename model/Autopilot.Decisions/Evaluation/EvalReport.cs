using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.Decisions.Evaluation;

/// <summary>One model's figures and every case record they were computed from.</summary>
public sealed record ModelEvaluation(ModelFigures Figures, IReadOnlyList<CaseResult> Cases);

/// <summary>A whole run: what was evaluated, under which settings, and each model's result.</summary>
public sealed record EvalReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required string Cases { get; init; }
    public int? Limit { get; init; }
    public double? MinAccuracy { get; init; }

    /// <summary>The conditions the latency figures hold for: one session, these threads, cases one after another.</summary>
    public required EvalSettings Settings { get; init; }

    public required IReadOnlyList<ModelEvaluation> Models { get; init; }

    /// <summary>Models whose overall action accuracy is below <see cref="MinAccuracy"/>.</summary>
    public IReadOnlyList<string> BelowMinAccuracy =>
        MinAccuracy is not { } min ? [] : [.. Models.Where(m => (m.Figures.Accuracy.Rate ?? 0) < min).Select(m => m.Figures.Model)];
}

public sealed record EvalSettings(int ContextSize, int Threads, int DeadlineMs, int MaxTokens, int Seed, int ProcessorCount, string Sops, string Policies);

/// <summary>Writes report.json (everything, for tools) and report.md (the tables and failures, for people).</summary>
public static class ReportFiles
{
    public const string JsonName = "report.json";
    public const string MarkdownName = "report.md";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static (string JsonPath, string MarkdownPath) Write(EvalReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, JsonName);
        var markdown = Path.Combine(directory, MarkdownName);
        File.WriteAllText(json, ToJson(report) + "\n");
        File.WriteAllText(markdown, ToMarkdown(report));
        return (json, markdown);
    }

    public static string ToJson(EvalReport report) => JsonSerializer.Serialize(report, Json);

    public static string ToMarkdown(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figures = report.Models.Select(m => m.Figures).ToList();
        var s = report.Settings;
        var text = new StringBuilder();
        text.Append("# Decision model evaluation\n\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Started {report.StartedAt:yyyy-MM-dd HH:mm:ss}Z on `{report.Cases}`{(report.Limit is { } limit ? $" (first {limit} cases)" : "")}. ");
        text.Append(CultureInfo.InvariantCulture,
            $"One session, {s.Threads} threads of {s.ProcessorCount} cores, cases one after another; context {s.ContextSize} tokens, ");
        text.Append(CultureInfo.InvariantCulture, $"deadline {s.DeadlineMs} ms, ")
            .Append(s.MaxTokens > 0 ? string.Create(CultureInfo.InvariantCulture, $"at most {s.MaxTokens} output tokens") : "output up to the grammar's longest answer")
            .Append(CultureInfo.InvariantCulture, $", seed {s.Seed}. ");
        text.Append(CultureInfo.InvariantCulture, $"SOPs `{s.Sops}`, policies `{s.Policies}`.\n\n");
        if (report.MinAccuracy is { } min)
        {
            var below = report.BelowMinAccuracy;
            text.Append(CultureInfo.InvariantCulture, $"Minimum action accuracy {ReportTables.Percent(min)}: ");
            text.Append(below.Count == 0 ? "every model meets it.\n\n" : $"**below it: {string.Join(", ", below)}**.\n\n");
        }
        Append(text, ReportTables.Comparison(figures));
        Append(text, ReportTables.BySop(figures));
        foreach (var model in figures) Append(text, ReportTables.Confusion(model));
        foreach (var model in report.Models) Append(text, ReportTables.Failures(model));
        return text.ToString();
    }

    private static void Append(StringBuilder text, TextTable table)
    {
        text.Append("## ").Append(table.Title).Append("\n\n");
        if (table.Rows.Count == 0)
        {
            text.Append("None.\n\n");
            return;
        }
        text.Append("| ").AppendJoin(" | ", table.Headers.Select(Cell)).Append(" |\n");
        text.Append('|').AppendJoin("|", table.Headers.Select(_ => " --- ")).Append("|\n");
        foreach (var row in table.Rows) text.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
        text.Append('\n');
    }

    // A pipe or a line break inside a cell would end it; model output may contain either.
    private static string Cell(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
