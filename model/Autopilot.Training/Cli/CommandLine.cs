using System.Globalization;

namespace Autopilot.Training;

/// <summary>A command line that cannot run; the message names the offending flag. Exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parses <c>train</c> and <c>loss</c> command lines (<c>--flag value</c> or <c>--flag=value</c>). Every flag is
/// checked here, before any file is opened, so a typo fails fast with the flag's name.
/// </summary>
internal static class CommandLine
{
    public const string Usage = """
        usage:
          autopilot-trainer train --model init.gguf --out trained.gguf --train train.jsonl [--valid valid.jsonl]
                                  [--epochs 3] [--lr 1e-3] [--min-lr-ratio 0.1] [--warmup 50] [--threads 2] [--seed 1]
                                  [--window 512] [--max-steps 0] [--loss completion|all] [--extra-rows 0] [--decision-weight 1]
          autopilot-trainer loss  --model some.gguf --data batch.jsonl [--window 512] [--threads 2] [--loss completion|all]
        """;

    /// <summary>The attention mask and scores grow with window²: 8192 slots already need 256 MiB per [T, T] tensor.</summary>
    public const int MaxWindow = 8192;

    private static readonly string[] TrainFlags =
        ["model", "out", "train", "valid", "epochs", "lr", "min-lr-ratio", "warmup", "threads", "seed", "window", "max-steps", "loss", "extra-rows", "decision-weight"];
    private static readonly string[] LossFlags = ["model", "data", "window", "threads", "loss"];

    public static object Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) throw new UsageException("no command given (train or loss)");
        var command = args[0];
        var flags = command switch
        {
            "train" => Flags(args, TrainFlags),
            "loss" => Flags(args, LossFlags),
            _ => throw new UsageException($"unknown command '{command}' (expected train or loss)"),
        };
        return command == "train" ? ParseTrain(flags) : ParseLoss(flags);
    }

    private static TrainSettings ParseTrain(Dictionary<string, string> flags) => new(
        Model: Required(flags, "model"),
        Out: Required(flags, "out"),
        Train: Required(flags, "train"),
        Valid: flags.GetValueOrDefault("valid"),
        Epochs: Int(flags, "epochs", 3, min: 1),
        LearningRate: Float(flags, "lr", 1e-3f, value => value > 0, "must be a positive number"),
        MinLearningRateRatio: Float(flags, "min-lr-ratio", 0.1f, value => value is >= 0 and <= 1, "must be within 0..1"),
        WarmupSteps: Int(flags, "warmup", 50, min: 0),
        Threads: Int(flags, "threads", 2, min: 1),
        Seed: Long(flags, "seed", 1, min: long.MinValue),
        Window: Int(flags, "window", 512, min: 1, max: MaxWindow),
        MaxSteps: Long(flags, "max-steps", 0, min: 0),
        Loss: Scope(flags),
        ExtraRows: Int(flags, "extra-rows", 0, min: 0, max: MaxWindow),
        DecisionWeight: Int(flags, "decision-weight", 1, min: 1, max: 1000));

    private static LossSettings ParseLoss(Dictionary<string, string> flags) => new(
        Model: Required(flags, "model"),
        Data: Required(flags, "data"),
        Window: Int(flags, "window", 512, min: 1, max: MaxWindow),
        Threads: Int(flags, "threads", 2, min: 1),
        Loss: Scope(flags));

    private static Dictionary<string, string> Flags(IReadOnlyList<string> args, string[] known)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new UsageException($"unexpected argument '{arg}' (flags look like --name value)");
            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals >= 0) (name, value) = (name[..equals], name[(equals + 1)..]);
            if (!known.Contains(name)) throw new UsageException($"unknown option --{name} for {args[0]}");
            if (value is null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                value = args[++i];
            }
            if (!flags.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
        }
        return flags;
    }

    private static string Required(Dictionary<string, string> flags, string name) =>
        flags.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new UsageException($"--{name} is required");

    private static int Int(Dictionary<string, string> flags, string name, int fallback, int min, int max = int.MaxValue) =>
        checked((int)Long(flags, name, fallback, min, max));

    private static long Long(Dictionary<string, string> flags, string name, long fallback, long min, long max = long.MaxValue)
    {
        if (!flags.TryGetValue(name, out var text)) return fallback;
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new UsageException($"--{name}: '{text}' is not a whole number");
        if (value < min || value > max) throw new UsageException($"--{name}: {value} must be within {min}..{max}");
        return value;
    }

    private static float Float(Dictionary<string, string> flags, string name, float fallback, Func<float, bool> valid, string rule)
    {
        if (!flags.TryGetValue(name, out var text)) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
            throw new UsageException($"--{name}: '{text}' is not a number");
        return valid(value) ? value : throw new UsageException($"--{name}: {text} {rule}");
    }

    private static LossScope Scope(Dictionary<string, string> flags) => flags.GetValueOrDefault("loss", "completion") switch
    {
        "completion" => LossScope.Completion,
        "all" => LossScope.All,
        var other => throw new UsageException($"--loss: '{other}' must be completion or all"),
    };
}
