using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Autopilot.Decisions;
using Autopilot.Decisions.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;

namespace Autopilot.Standalone.Commands;

/// <summary>
/// `autopilot train`: reproduces the default model from the corpus. Preparation (rendering, vocabulary, encoding)
/// runs here; the optimiser runs in the autopilot-trainer child process, whose JSON progress lines become a progress
/// bar. A native abort in the trainer ends the child only: this command reports it and leaves the shipped model alone.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Where to write the trained model", DefaultValueFactory = _ => ShippedModel.ModelPath };
        var epochsOption = new Option<int>("--epochs") { Description = "Passes over the train split", DefaultValueFactory = _ => new TrainingSettings().Epochs };
        var seedOption = new Option<int>("--seed") { Description = "Seed of the initial weights and the example order", DefaultValueFactory = _ => new TrainingSettings().Seed };
        var threadsOption = new Option<int>("--threads") { Description = "CPU threads (default: one per core)", DefaultValueFactory = _ => new TrainingSettings().Threads };
        var maxStepsOption = new Option<int>("--max-steps") { Description = "Stop after this many optimiser steps (0 = all epochs)" };
        var workOption = new Option<string?>("--work") { Description = "Scratch folder (default: .autopilot/train)" };
        var trainerOption = new Option<string?>("--trainer") { Description = "Path of autopilot-trainer.dll (default: the repository's build output)" };
        var weightsOption = new Option<string>("--weights") { Description = $"Weight type of the written model: {string.Join(", ", DeciderModelFile.WeightTypes)}", DefaultValueFactory = _ => new TrainingSettings().Weights };
        var prepareOnlyOption = new Option<bool>("--prepare-only") { Description = "Render, learn the vocabulary and encode the examples, print their sizes, and stop" };
        var command = new Command("train", "Train the default decision model from model/cases/train on this CPU (a fixed seed reproduces it)")
        {
            outOption, epochsOption, seedOption, threadsOption, maxStepsOption, workOption, trainerOption, weightsOption, prepareOnlyOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = Directory.GetCurrentDirectory();
            var epochs = parse.GetValue(epochsOption);
            if (epochs < 1) return CasesCommand.Fail("--epochs", $"{epochs} is not a positive number");
            var threads = parse.GetValue(threadsOption);
            if (threads < 1) return CasesCommand.Fail("--threads", $"{threads} is not a positive number");
            var trainer = parse.GetValue(trainerOption) ?? Path.Combine(root, "model", "Autopilot.Training", "bin", "Release", "net10.0", "autopilot-trainer.dll");
            var prepareOnly = parse.GetValue(prepareOnlyOption);
            if (!prepareOnly && !File.Exists(trainer)) return CasesCommand.Fail("--trainer", $"{trainer} does not exist; build model/Autopilot.Training first (./autopilot train does)");
            var weights = parse.GetValue(weightsOption)!;
            if (!DeciderModelFile.WeightTypes.Contains(weights)) return CasesCommand.Fail("--weights", $"'{weights}' is not a weight type; valid: {string.Join(", ", DeciderModelFile.WeightTypes)}");
            var settings = new TrainingSettings { Epochs = epochs, Seed = parse.GetValue(seedOption), Threads = threads, Weights = weights };
            var work = Path.GetFullPath(parse.GetValue(workOption) ?? Path.Combine(root, ".autopilot", "train"));
            var output = Path.GetFullPath(parse.GetValue(outOption)!);

            var clock = Stopwatch.StartNew();
            var prepared = await TrainingPreparation.PrepareAsync(root, work, settings, NullLogger.Instance,
                line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"), ct);
            AnsiConsole.MarkupLine(Invariant($"{prepared.Examples} examples, vocabulary {prepared.Vocabulary} tokens, {prepared.Parameters / 1e6:0.00} M parameters, prompt {prepared.MeanPromptTokens:0} tokens on average (max {prepared.MaxPromptTokens}); prepared in {clock.Elapsed.TotalSeconds:0} s"));

            if (prepareOnly) return 0;

            var trained = Path.Combine(work, "trained.gguf");
            var arguments = new List<string>
            {
                trainer, "train", "--model", prepared.InitialModel, "--out", trained, "--train", prepared.TrainExamples, "--valid", prepared.ValidExamples,
                "--epochs", Invariant($"{settings.Epochs}"), "--lr", Invariant($"{settings.LearningRate}"), "--threads", Invariant($"{settings.Threads}"),
                "--seed", Invariant($"{settings.Seed}"), "--window", Invariant($"{settings.Window}"), "--extra-rows", Invariant($"{settings.ExtraRows}"), "--decision-weight", Invariant($"{settings.DecisionWeight}"),
            };
            if (parse.GetValue(maxStepsOption) is > 0 and var maxSteps) arguments.AddRange(["--max-steps", Invariant($"{maxSteps}")]);
            var exit = await RunTrainerAsync(arguments, ct);
            if (exit != 0)
            {
                AnsiConsole.MarkupLine($"[red]the trainer exited with code {exit}; {Markup.Escape(output)} was not changed[/]");
                return 1;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            DeciderModelFile.Quantize(trained, output, settings.Weights);
            AnsiConsole.MarkupLine(Invariant($"[green]trained model → {Markup.Escape(Path.GetRelativePath(root, output))}[/] ({settings.Weights}, {new FileInfo(output).Length / 1e6:0.0} MB) in {clock.Elapsed.TotalMinutes:0.0} min"));
            return 0;
        });
        return command;
    }

    private static async Task<int> RunTrainerAsync(IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet for the trainer");
        var errors = new List<string>();
        var stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync(ct) is { } line)
                lock (errors) errors.Add(line);
        }, ct);
        try
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask("starting the trainer", maxValue: 1);
                    while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
                        Report(bar, line);
                    bar.StopTask();
                });
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        await stderr;
        if (process.ExitCode != 0)
            foreach (var line in errors.TakeLast(20)) AnsiConsole.MarkupLine($"[grey]trainer: {Markup.Escape(line)}[/]");
        return process.ExitCode;
    }

    private static void Report(ProgressTask bar, string line)
    {
        JsonElement e;
        try
        {
            e = JsonDocument.Parse(line).RootElement;
        }
        catch (JsonException)
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
            return;
        }
        double Number(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        switch (e.GetProperty("event").GetString())
        {
            case "start":
                bar.MaxValue = Math.Max(1, Number("totalSteps"));
                AnsiConsole.MarkupLine(Invariant($"training: {Number("examples"):0} examples ({Number("skipped"):0} too long), {Number("windows"):0} windows of {Number("window"):0} tokens, {Number("totalSteps"):0} steps"));
                break;
            case "step":
                bar.Value = Number("step");
                bar.Description = Invariant($"epoch {Number("epoch"):0} · loss {Number("loss"):0.000} · {Number("tokensPerSecond"):0} tok/s · eta {TimeSpan.FromSeconds(Math.Max(0, Number("etaSeconds"))):mm\\:ss}");
                break;
            case "epoch":
                AnsiConsole.MarkupLine(Invariant($"epoch {Number("epoch"):0}: train loss {Number("trainLoss"):0.0000} (accuracy {Number("trainAccuracy"):P1}) · held-out loss {Number("validLoss"):0.0000} (accuracy {Number("validAccuracy"):P1}) · {Number("seconds"):0} s"));
                break;
            case "error":
                AnsiConsole.MarkupLine($"[red]trainer: {Markup.Escape(e.GetProperty("message").GetString() ?? "")}[/]");
                break;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
