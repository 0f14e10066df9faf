using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Guardrail;

/// <summary>Configuration section "Autopilot:Guardrail".</summary>
public sealed class GuardrailOptions : IValidatableObject
{
    public const string Section = "Autopilot:Guardrail";

    /// <summary>Directory of policy YAML files, validated at start-up.</summary>
    [Required]
    public string PolicyDirectory { get; set; } = "policies";

    // The signing key of this section is bound by GuardrailKeyOptions, only where the guardrail runs.

    /// <summary>Lifetime of an approval token; the bridge refuses it after this.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A change that needs a human is refused when nobody approved it within this.</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Ledger entries older than this are dropped (keep it longer than every policy window).</summary>
    public TimeSpan LedgerRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Decisions remembered per route for idempotent resubmission.</summary>
    [Range(10, 100_000)]
    public int MaxDecisions { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(TokenLifetime), TokenLifetime), (nameof(ApprovalTimeout), ApprovalTimeout), (nameof(LedgerRetention), LedgerRetention),
                 })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(30))
                yield return new ValidationResult($"{Section}:{name} is {value}; use a duration between 00:00:00.001 and 30.00:00:00.", [name]);
        }
    }
}
