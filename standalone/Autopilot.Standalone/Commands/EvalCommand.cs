using System.CommandLine;
using Autopilot.Decisions;
using Autopilot.Decisions.Evaluation;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Autopilot.Standalone.Commands;

/// <summary>
/// `autopilot eval`: scores one or more GGUF models on labelled decision cases through the real planning path
/// (docs/model.md). The work and the exit code are <see cref="EvalRunner"/>'s; this class only parses flags and draws.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = $"GGUF model file or builtin:tiny; repeat to compare models side by side (default: {ShippedModel.ModelPath})",
        };
        var cases = new Option<string?>("--cases") { Description = $"A *.jsonl case file or a directory of them (default: {ShippedModel.HeldOutCases})" };
        var output = new Option<string?>("--out") { Description = "Where report.json and report.md go (default: .autopilot/eval/<time>)" };
        // Numbers are taken as text so a bad value is reported by EvalRunner, naming the flag, with exit code 2.
        var minAccuracy = new Option<string?>("--min-accuracy") { Description = "Exit 1 if any model's action accuracy is below this fraction (0..1)" };
        var limit = new Option<string?>("--limit") { Description = "Evaluate only the first N cases" };
        var sops = new Option<string?>("--sops") { Description = $"SOP directory (default: {ShippedModel.Sops})" };
        var policies = new Option<string?>("--policies") { Description = $"Policy directory (default: {ShippedModel.Policies})" };

        var command = new Command("eval", "Score decision models on labelled cases: action accuracy, bounds, grounding, fallbacks, latency, policy verdicts")
        {
            models, cases, output, minAccuracy, limit, sops, policies,
        };
        command.SetAction((parse, ct) => RunAsync(new EvalArguments
        {
            Models = parse.GetValue(models) ?? [],
            Cases = parse.GetValue(cases),
            Out = parse.GetValue(output),
            MinAccuracy = parse.GetValue(minAccuracy),
            Limit = parse.GetValue(limit),
            Sops = parse.GetValue(sops),
            Policies = parse.GetValue(policies),
        }, AnsiConsole.Console, ct));
        return command;
    }

    public static async Task<int> RunAsync(EvalArguments arguments, IAnsiConsole console, CancellationToken ct)
    {
        var (plan, problem) = arguments.Resolve(Directory.GetCurrentDirectory(), DateTime.UtcNow);
        if (plan is null)
        {
            console.MarkupLine($"[red]{Markup.Escape(problem!)}[/]");
            return EvalRunner.BadInput;
        }

        // The planner and llama.cpp log every case; on the console that would tear the progress bar apart.
        var logPath = Path.Combine(plan.OutDirectory, "eval.log");
        using var logs = new FileLoggerProvider(logPath);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new NonOwningLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information));
        console.Write(new Rule($"[bold]autopilot eval[/] · {Markup.Escape(string.Join(", ", plan.Models.Select(m => m.Name)))}").LeftJustified());
        console.MarkupLine($"[grey]cases {Markup.Escape(plan.Cases)}{(plan.Limit is { } n ? $" (first {n})" : "")} · out {Markup.Escape(plan.OutDirectory)}[/]");

        EvalOutcome? outcome = null;
        if (console.Profile.Capabilities.Interactive)
            await console.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context => outcome = await EvalRunner.RunAsync(plan, new ProgressObserver(context), loggers, ct));
        else
            outcome = await EvalRunner.RunAsync(plan, new LineObserver(console), loggers, ct);

        if (outcome!.Report is not { } report)
        {
            console.MarkupLine($"[red]{Markup.Escape(outcome.Error ?? "the evaluation failed")}[/]");
            console.MarkupLine($"[grey]log: {Markup.Escape(logPath)}[/]");
            return outcome.ExitCode;
        }

        var figures = report.Models.Select(m => m.Figures).ToList();
        console.Write(Render(ReportTables.Comparison(figures)));
        console.Write(Render(ReportTables.BySop(figures)));
        foreach (var model in figures) console.Write(Render(ReportTables.Confusion(model)));

        if (report.MinAccuracy is { } min)
        {
            foreach (var model in figures.Where(m => report.BelowMinAccuracy.Contains(m.Model)))
                console.MarkupLine($"[red]{Markup.Escape(model.Model)}: action accuracy {Markup.Escape(ReportTables.Format(model.Accuracy))} is below --min-accuracy {min}[/]");
            if (report.BelowMinAccuracy.Count == 0)
                console.MarkupLine($"[green]every model meets --min-accuracy {min}[/]");
        }
        console.MarkupLine($"report: {Markup.Escape(outcome.MarkdownPath!)}");
        console.MarkupLine($"        {Markup.Escape(outcome.JsonPath!)}");
        console.MarkupLine($"[grey]log: {Markup.Escape(logPath)}[/]");
        return outcome.ExitCode;
    }

    private static Table Render(TextTable table)
    {
        var rendered = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(table.Title)}[/]");
        for (var i = 0; i < table.Headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(table.Headers[i]));
            rendered.AddColumn(i == 0 ? column.LeftAligned() : column.RightAligned());
        }
        foreach (var row in table.Rows) rendered.AddRow(row.Select(cell => new Text(cell)).ToArray());
        return rendered;
    }

    /// <summary>For a log or a pipe, where a progress bar cannot redraw: a line per tenth of the cases.</summary>
    private sealed class LineObserver(IAnsiConsole console) : IEvalObserver
    {
        public void ModelStarting(string model, int cases) => console.MarkupLine($"{Markup.Escape(model)} · loading");

        public void CaseDone(string model, int done, int total, CaseResult result, Ratio accuracySoFar)
        {
            if (done % Math.Max(1, total / 10) == 0 || done == total)
                console.MarkupLine($"{Markup.Escape(model)} · case {done}/{total} · accuracy {ReportTables.Format(accuracySoFar)}");
        }
    }

    /// <summary>One progress bar per model: "model · case i/N · accuracy x".</summary>
    private sealed class ProgressObserver(ProgressContext context) : IEvalObserver
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);

        public void ModelStarting(string model, int cases) =>
            _tasks[model] = context.AddTask($"{Markup.Escape(model)} · loading", maxValue: cases);

        public void CaseDone(string model, int done, int total, CaseResult result, Ratio accuracySoFar)
        {
            var task = _tasks[model];
            task.Value = done;
            task.Description = $"{Markup.Escape(model)} · case {done}/{total} · accuracy {ReportTables.Format(accuracySoFar)}";
        }
    }
}
