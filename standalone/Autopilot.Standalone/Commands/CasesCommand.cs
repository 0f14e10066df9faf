using System.CommandLine;
using Autopilot.Decisions;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Generation;
using Spectre.Console;

namespace Autopilot.Standalone.Commands;

/// <summary>`autopilot cases generate`: writes the decision corpus (train and held-out splits) from the fixed seeds.</summary>
internal static class CasesCommand
{
    public static Command Create()
    {
        var trainOption = new Option<int>("--train") { Description = "Train cases to generate", DefaultValueFactory = _ => 4000 };
        var heldOutOption = new Option<int>("--held-out") { Description = "Held-out cases to generate", DefaultValueFactory = _ => 400 };
        var generate = new Command("generate", "Generate the decision corpus into model/cases/{train,heldout}/generated.jsonl (fixed seeds: same counts, same files)")
        {
            trainOption, heldOutOption,
        };
        generate.SetAction(parse =>
        {
            var (train, heldOut) = (parse.GetValue(trainOption), parse.GetValue(heldOutOption));
            if (train < 1) return Fail("--train", $"{train} is not a positive number of cases");
            if (heldOut < 1) return Fail("--held-out", $"{heldOut} is not a positive number of cases");
            var root = Directory.GetCurrentDirectory();
            Write(Path.Combine(root, ShippedModel.TrainCases, "generated.jsonl"), CorpusGenerator.Train(train));
            Write(Path.Combine(root, ShippedModel.HeldOutCases, "generated.jsonl"), CorpusGenerator.HeldOut(heldOut));
            return 0;
        });

        var cases = new Command("cases", "The decision corpus: generate it, or export cases from the audit trail") { generate, CaseExportCommand.Create() };
        return cases;
    }

    private static void Write(string path, IReadOnlyList<DecisionCase> cases)
    {
        CaseFiles.Write(path, cases);
        var bySop = cases.GroupBy(c => c.Sop ?? "(no SOP)").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        AnsiConsole.MarkupLine($"[green]{cases.Count}[/] cases → {Markup.Escape(Path.GetRelativePath(Directory.GetCurrentDirectory(), path))} ({Markup.Escape(string.Join(", ", bySop))})");
    }

    internal static int Fail(string flag, string message)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(flag)}: {Markup.Escape(message)}[/]");
        return 2;
    }
}
