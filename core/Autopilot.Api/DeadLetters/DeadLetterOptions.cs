using System.ComponentModel.DataAnnotations;

namespace Autopilot.Api.DeadLetters;

/// <summary>Configuration section "Autopilot:DeadLetters": how many dead letters each host keeps.</summary>
public sealed class DeadLetterOptions : IValidatableObject
{
    public const string Section = "Autopilot:DeadLetters";

    /// <summary>The newest letters kept (in memory and in the store); older ones are let go and counted.</summary>
    public int MaxKept { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxKept is < 1 or > 100_000)
            yield return new ValidationResult($"{Section}:MaxKept is {MaxKept}; use a number of letters between 1 and 100000.", [nameof(MaxKept)]);
    }
}
