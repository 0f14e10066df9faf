using System.Globalization;
using Autopilot.InferencePool.Engine.Options;

namespace Autopilot.Decisions.Evaluation;

/// <summary>
/// The flags of `autopilot eval` as typed (numbers still text, so a bad value is reported here with its flag name
/// and exit code 2, not by the command-line parser). <see cref="Resolve"/> fills in the defaults.
/// </summary>
public sealed record EvalArguments
{
    public IReadOnlyList<string> Models { get; init; } = [];
    public string? Cases { get; init; }
    public string? Out { get; init; }
    public string? MinAccuracy { get; init; }
    public string? Limit { get; init; }
    public string? Sops { get; init; }
    public string? Policies { get; init; }

    /// <summary>The run these flags describe, paths made absolute against <paramref name="root"/> (the repository
    /// root, which is the current directory of `./autopilot`), or the first problem as "--flag: what is wrong".</summary>
    public (EvalPlan? Plan, string? Problem) Resolve(string root, DateTime utcNow)
    {
        double? minAccuracy = null;
        if (MinAccuracy is { } minText)
        {
            if (!double.TryParse(minText, NumberStyles.Float, CultureInfo.InvariantCulture, out var min) || !double.IsFinite(min))
                return (null, $"--min-accuracy: '{minText}' is not a number; give a fraction between 0 and 1, e.g. 0.9");
            if (min is < 0 or > 1)
                return (null, $"--min-accuracy: {minText} is not between 0 and 1");
            minAccuracy = min;
        }
        int? limit = null;
        if (Limit is { } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
                return (null, $"--limit: '{limitText}' is not a positive whole number of cases");
            limit = n;
        }

        var models = Models.Count > 0 ? Models : [ShippedModel.ModelPath];
        foreach (var model in models)
        {
            if (model.StartsWith(PoolOptions.BuiltinPrefix, StringComparison.Ordinal) || File.Exists(Path.Combine(root, model))) continue;
            var hint = model == ShippedModel.ModelPath && Models.Count == 0
                ? $"the default model {model} does not exist yet"
                : $"the file {model} does not exist";
            return (null, $"--model: {hint}; train the default model with `./autopilot train`, or evaluate the generated smoke-test model with `--model builtin:tiny`");
        }
        if (models.Distinct(StringComparer.Ordinal).Count() != models.Count)
            return (null, $"--model: a model is given twice ({string.Join(", ", models.GroupBy(m => m).Where(g => g.Count() > 1).Select(g => g.Key))})");

        return (new EvalPlan
        {
            Models = [.. models.Select(m => new ModelToEvaluate(m, m.StartsWith(PoolOptions.BuiltinPrefix, StringComparison.Ordinal) ? m : Path.GetFullPath(Path.Combine(root, m))))],
            Cases = Path.GetFullPath(Path.Combine(root, Cases ?? ShippedModel.HeldOutCases)),
            OutDirectory = Path.GetFullPath(Path.Combine(root, Out ?? Path.Combine(".autopilot", "eval", utcNow.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture)))),
            Sops = Path.GetFullPath(Path.Combine(root, Sops ?? ShippedModel.Sops)),
            Policies = Path.GetFullPath(Path.Combine(root, Policies ?? ShippedModel.Policies)),
            MinAccuracy = minAccuracy,
            Limit = limit,
        }, null);
    }
}

/// <summary>A model as the user named it (the report's column) and where it is loaded from.</summary>
public sealed record ModelToEvaluate(string Name, string Path);

/// <summary>A resolved run: absolute paths, checked values.</summary>
public sealed record EvalPlan
{
    public required IReadOnlyList<ModelToEvaluate> Models { get; init; }
    public required string Cases { get; init; }
    public required string OutDirectory { get; init; }
    public required string Sops { get; init; }
    public required string Policies { get; init; }
    public double? MinAccuracy { get; init; }
    public int? Limit { get; init; }

    /// <summary>Tokens per session. The default prompt is ≈250 tokens in the default model's vocabulary, but up to
    /// ≈1,200 in the byte-level vocabulary of builtin:tiny; with a proposal of at most the grammar's longest answer (≈300 bytes) on top, 2048
    /// keeps every model's prompt whole (a cut-off prompt would be scored as a model error, not measured).</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>Large enough that a 7B model on a slow CPU is measured, not cut off and scored as a fallback.</summary>
    public int DeadlineMs { get; init; } = 120_000;

    public int Threads { get; init; } = Environment.ProcessorCount;
}
