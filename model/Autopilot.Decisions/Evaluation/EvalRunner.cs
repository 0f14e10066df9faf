using System.Diagnostics;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Planning;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Loop;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Decisions.Evaluation;

/// <summary>Hears about a run as it goes (the console's progress bar); every method is optional.</summary>
public interface IEvalObserver
{
    void ModelStarting(string model, int cases) { }

    void CaseDone(string model, int done, int total, CaseResult result, Ratio accuracySoFar) { }
}

/// <summary>How a run ended. <see cref="ExitCode"/> is what `autopilot eval` exits with.</summary>
public sealed record EvalOutcome(int ExitCode, string? Error, EvalReport? Report, string? JsonPath, string? MarkdownPath);

/// <summary>
/// `autopilot eval` without the console: reads the cases, runs each model over them through the real perception,
/// planner and policy engine, writes the reports and decides the exit code (0 passed, 1 a model is below
/// --min-accuracy, 2 bad input: flags, case files, SOPs, policies, a model that cannot be loaded).
/// </summary>
public static class EvalRunner
{
    public const int Passed = 0;
    public const int BelowMinAccuracy = 1;
    public const int BadInput = 2;

    private sealed class NoObserver : IEvalObserver;

    public static Task<EvalOutcome> RunAsync(EvalArguments arguments, string root, IEvalObserver? observer = null,
        ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var (plan, problem) = arguments.Resolve(root, DateTime.UtcNow);
        return plan is null ? Task.FromResult(Failed(problem!)) : RunAsync(plan, observer, loggers, ct);
    }

    public static async Task<EvalOutcome> RunAsync(EvalPlan plan, IEvalObserver? observer = null, ILoggerFactory? loggers = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        observer ??= new NoObserver();
        loggers ??= NullLoggerFactory.Instance;
        var startedAt = DateTimeOffset.UtcNow;

        IReadOnlyList<DecisionCase> cases;
        PolicySet policies;
        try
        {
            cases = CaseFiles.Read(plan.Cases);
            policies = PolicySet.LoadDirectory(plan.Policies);
        }
        catch (CaseFormatException e)
        {
            return Failed(e.Message);
        }
        catch (FileNotFoundException e)
        {
            return Failed($"--cases: {e.Message}");
        }
        catch (PolicyValidationException e)
        {
            return Failed($"--policies: {e.Message}");
        }
        if (cases.Count == 0) return Failed($"--cases: no cases in {plan.Cases} (one JSON case per line in *{CaseFiles.Extension} files)");
        if (plan.Limit is { } limit) cases = [.. cases.Take(limit)];

        // The SOP index is a cache rebuilt from the Markdown files; a private one keeps runs independent.
        var indexDirectory = Path.Combine(Path.GetTempPath(), $"autopilot-eval-{Guid.NewGuid():N}");
        try
        {
            SqliteSopIndex sops;
            try
            {
                sops = SqliteSopIndex.Open(plan.Sops, Path.Combine(indexDirectory, "sop-index.db"), loggers.CreateLogger<SqliteSopIndex>());
            }
            catch (Exception e) when (e is DirectoryNotFoundException or SopValidationException)
            {
                return Failed($"--sops: {e.Message}");
            }
            using (sops)
            {
                var perception = CasePerception.WithLoopDefaults(sops);
                var judge = new CasePolicy(policies);
                var evaluations = new List<ModelEvaluation>();
                foreach (var model in plan.Models)
                {
                    observer.ModelStarting(model.Name, cases.Count);
                    PlannerUnderTest planner;
                    try
                    {
                        planner = await PlannerUnderTest.LoadAsync(model.Path, plan, loggers, ct);
                    }
                    catch (ModelLoadException e)
                    {
                        return Failed($"--model {model.Name}: cannot be loaded: {e.Message}");
                    }
                    await using (planner)
                    {
                        var results = await EvaluateAsync(model.Name, planner, cases, perception, judge, observer, ct);
                        evaluations.Add(new ModelEvaluation(ModelFigures.From(model.Name, results), results));
                    }
                }
                return Finish(plan, startedAt, evaluations);
            }
        }
        finally
        {
            TryDelete(indexDirectory);
        }
    }

    /// <summary>Cases strictly one after another, so each latency is one incident on an otherwise idle machine.</summary>
    private static async Task<IReadOnlyList<CaseResult>> EvaluateAsync(string model, PlannerUnderTest planner, IReadOnlyList<DecisionCase> cases,
        CasePerception perception, CasePolicy judge, IEvalObserver observer, CancellationToken ct)
    {
        var results = new List<CaseResult>(cases.Count);
        foreach (var c in cases)
        {
            ct.ThrowIfCancellationRequested();
            var perceived = perception.Perceive(c);
            var started = Stopwatch.GetTimestamp();
            var outcome = await planner.Planner.PlanAsync(perceived.Request, ct);
            var latencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var verdict = judge.Judge(outcome.Proposal, perceived.Route, c.Now);
            results.Add(CaseScoring.Score(c, outcome, verdict, perceived.Route, latencyMs));
            observer.CaseDone(model, results.Count, cases.Count, results[^1], Ratio.Of(results, r => r.CorrectAction));
        }
        return results;
    }

    private static EvalOutcome Finish(EvalPlan plan, DateTimeOffset startedAt, IReadOnlyList<ModelEvaluation> evaluations)
    {
        var planning = PlannerUnderTest.PlanningOptionsFor(plan);
        var report = new EvalReport
        {
            StartedAt = startedAt,
            Cases = plan.Cases,
            Limit = plan.Limit,
            MinAccuracy = plan.MinAccuracy,
            Settings = new EvalSettings(plan.ContextSize, plan.Threads, plan.DeadlineMs, planning.MaxTokens, planning.Seed,
                Environment.ProcessorCount, plan.Sops, plan.Policies),
            Models = evaluations,
        };
        var (json, markdown) = ReportFiles.Write(report, plan.OutDirectory);
        return new EvalOutcome(ExitCodeFor(report), null, report, json, markdown);
    }

    /// <summary>1 when any model's overall action accuracy is below the report's minimum, else 0.</summary>
    public static int ExitCodeFor(EvalReport report) =>
        report.BelowMinAccuracy.Count > 0 ? BelowMinAccuracy : Passed;

    private static EvalOutcome Failed(string message) => new(BadInput, message, null, null, null);

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover cache file in the temp directory is harmless; the run's result is not.
        }
    }
}
