using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Restore;

/// <summary>Configuration section "Autopilot:Restore": the progressive restore after an incident resolves.</summary>
public sealed class RestoreOptions : IValidatableObject
{
    public const string Section = "Autopilot:Restore";

    public static readonly IReadOnlyList<int> DefaultStepPercents = [10, 25, 50, 100];

    /// <summary>Percent of the canary's original weight at each step; ascending, ending at 100. Unset = 10, 25, 50,
    /// 100. (No initial list here: the configuration binder would append the configured steps to it.)</summary>
    public List<int>? StepPercents { get; set; }

    public IReadOnlyList<int> Steps => StepPercents is { Count: > 0 } configured ? configured : DefaultStepPercents;

    /// <summary>Time given to each step before its health check.</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Steps[^1] != 100 || Steps.Any(p => p is <= 0 or > 100) || Steps.Zip(Steps.Skip(1)).Any(pair => pair.First >= pair.Second))
            yield return new ValidationResult(
                $"{Section}:StepPercents is [{string.Join(", ", Steps)}]; use ascending percentages in 1..100 ending at 100, e.g. [10, 25, 50, 100].",
                [nameof(StepPercents)]);
        if (SettleDelay < TimeSpan.Zero || SettleDelay > TimeSpan.FromHours(1))
            yield return new ValidationResult($"{Section}:SettleDelay is {SettleDelay}; use a duration between 00:00:00 and 01:00:00.", [nameof(SettleDelay)]);
    }
}
