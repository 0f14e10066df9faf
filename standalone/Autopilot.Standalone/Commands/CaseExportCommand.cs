using System.CommandLine;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Export;
using Spectre.Console;

namespace Autopilot.Standalone.Commands;

/// <summary>`autopilot cases export`: decision cases from the operator's own closed incidents (docs/model.md).</summary>
internal static class CaseExportCommand
{
    public static Command Create()
    {
        var fromOption = new Option<string>("--from") { Description = "Audit trail folder: a state directory's incidents/ or saved GET /incidents/{id} answers", Required = true };
        var outOption = new Option<string>("--out") { Description = "Case file to write", DefaultValueFactory = _ => "model/cases/exported/incidents.jsonl" };
        var command = new Command("export", "Turn closed incidents (approved or verified changes; rejected or undone ones as negatives) into decision cases")
        {
            fromOption, outOption,
        };
        command.SetAction(parse =>
        {
            var from = parse.GetValue(fromOption)!;
            if (!Directory.Exists(from)) return CasesCommand.Fail("--from", $"{from} is not a folder");
            var outcomes = IncidentCaseExporter.ExportDirectory(from);
            var cases = outcomes.Where(o => o.Case is not null).Select(o => o.Case!).ToList();
            var table = new Table().AddColumns("incident", "verdict");
            foreach (var outcome in outcomes) table.AddRow(Markup.Escape(outcome.IncidentId), Markup.Escape(outcome.Verdict));
            AnsiConsole.Write(table);
            if (cases.Count == 0)
            {
                AnsiConsole.MarkupLine("[yellow]no incident was judged (approved, verified, rejected or undone): nothing written[/]");
                return 0;
            }
            var path = parse.GetValue(outOption)!;
            CaseFiles.Write(path, cases);
            AnsiConsole.MarkupLine($"[green]{cases.Count}[/] cases → {Markup.Escape(path)}; evaluate with `./autopilot eval --cases {Markup.Escape(path)}`, or move the file into model/cases/train to train on it");
            return 0;
        });
        return command;
    }
}
