using System.Text.Json;
using Autopilot.Decisions.Evaluation;
using static Autopilot.Model.Tests.Evaluation.EvalSamples;

namespace Autopilot.Model.Tests.Evaluation;

public sealed class ReportFilesTests
{
    private static EvalReport Report(double? minAccuracy = null)
    {
        IReadOnlyList<CaseResult> good = [Result("a", promptTokens: 240, completionTokens: 31), Result("b", correct: false, action: "escalate", source: "SopDefault",
            parseError: "$: not valid JSON | cut off")];
        IReadOnlyList<CaseResult> better = [Result("a"), Result("b", expected: ["rollback_canary"])];
        return new EvalReport
        {
            StartedAt = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
            Cases = "model/cases/heldout",
            Limit = 2,
            MinAccuracy = minAccuracy,
            Settings = new EvalSettings(2048, 8, 120_000, 160, 42, 8, "sops", "policies"),
            Models = [new ModelEvaluation(ModelFigures.From("small.gguf", good), good), new ModelEvaluation(ModelFigures.From("large.gguf", better), better)],
        };
    }

    [Fact]
    public void Markdown_compares_models_side_by_side()
    {
        var markdown = ReportFiles.ToMarkdown(Report());

        Assert.Contains("| figure | small.gguf | large.gguf |", markdown);
        Assert.Contains("| action accuracy | 50.0% (1/2) | 100.0% (2/2) |", markdown);
        Assert.Contains("| canary-high-error-rate | 50.0% (1/2) | 100.0% (2/2) |", markdown);
        Assert.Contains("## Confusion matrix: small.gguf", markdown);
        Assert.Contains("| rollback_canary | 1 | 1 |", markdown);
        Assert.Contains("context 2048 tokens", markdown);
    }

    [Fact]
    public void Markdown_lists_failed_cases_with_expected_proposed_and_why_escaping_pipes()
    {
        var markdown = ReportFiles.ToMarkdown(Report());

        Assert.Contains("## Failed cases: small.gguf (1)", markdown);
        Assert.Contains("| b | canary-high-error-rate | rollback_canary | escalate | SopDefault | wrong action; invalid output: $: not valid JSON \\| cut off | reason of b |", markdown);
        Assert.Contains("## Failed cases: large.gguf (0)\n\nNone.", markdown);
    }

    [Fact]
    public void Markdown_names_the_models_below_the_minimum_accuracy()
    {
        Assert.Contains("Minimum action accuracy 90.0%: **below it: small.gguf**.", ReportFiles.ToMarkdown(Report(0.9)));
        Assert.Contains("every model meets it", ReportFiles.ToMarkdown(Report(0.5)));
    }

    [Fact]
    public void Json_holds_every_figure_and_every_case_record()
    {
        using var json = JsonDocument.Parse(ReportFiles.ToJson(Report(0.9)));
        var root = json.RootElement;
        var small = root.GetProperty("models")[0];

        Assert.Equal("small.gguf", small.GetProperty("figures").GetProperty("model").GetString());
        Assert.Equal(1, small.GetProperty("figures").GetProperty("accuracy").GetProperty("count").GetInt32());
        Assert.Equal(0.5, small.GetProperty("figures").GetProperty("accuracy").GetProperty("rate").GetDouble());
        Assert.Equal(2, small.GetProperty("cases").GetArrayLength());
        Assert.Equal("$: not valid JSON | cut off", small.GetProperty("cases")[1].GetProperty("parseError").GetString());
        Assert.Equal("allowed", small.GetProperty("cases")[0].GetProperty("verdict").GetProperty("outcome").GetString());
        Assert.Equal(240, small.GetProperty("figures").GetProperty("promptTokens").GetProperty("max").GetInt32());
        Assert.Equal(["small.gguf"], root.GetProperty("belowMinAccuracy").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Both_files_are_written_into_the_output_directory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-eval-tests", Guid.NewGuid().ToString("N"));
        var (json, markdown) = ReportFiles.Write(Report(), directory);

        Assert.Equal(Path.Combine(directory, "report.json"), json);
        Assert.Equal(Path.Combine(directory, "report.md"), markdown);
        Assert.True(File.Exists(json) && File.Exists(markdown));
    }
}
