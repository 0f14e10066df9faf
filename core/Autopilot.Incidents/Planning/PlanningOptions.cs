using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Planning;

/// <summary>Configuration section "Autopilot:Planning": how one proposal is asked of the model.</summary>
public sealed class PlanningOptions : IValidatableObject
{
    public const string Section = "Autopilot:Planning";

    /// <summary>The most a plan may take, waiting for a pool session included; the pool cancels generation when it
    /// passes and the loop falls back (SOP default or escalate). 0 (the default) lets the pool derive it from the
    /// model's speed measured at start-up and this prompt's length: seconds for a 7B model on CPU, about one for the
    /// shipped model.</summary>
    [Range(0, 600_000)]
    public int DeadlineMs { get; set; }

    /// <summary>How long a plan waits for a free pool session before the SOP's safe default is used instead. In an
    /// alert storm of 100 workloads on 2 cores, 4 s lets the shipped model plan all of them with every change within
    /// about 4 s of its first alert; a plan that gets its session last still lands well inside 5 s (docs/standalone.md).</summary>
    [Range(0, 600_000)]
    public int LeaseWaitMs { get; set; } = 4_000;

    /// <summary>The most tokens the model may write. 0 (the default) asks for the longest answer the proposal grammar
    /// admits, so a well-formed answer is never cut short (a cut answer is invalid and the loop falls back).</summary>
    [Range(0, 4096)]
    public int MaxTokens { get; set; }

    /// <summary>Fixed so that a proposal can be reproduced from the audit trail.</summary>
    public int Seed { get; set; } = 42;

    [Range(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Semantic Kernel template of the user message (variables: facts, sop_id, sop_title, sop_body, sop_default, actions,
    /// route, backends, stable). Empty = the built-in one: the facts and the route.</summary>
    public string? PromptTemplate { get; set; }

    /// <summary>Semantic Kernel template of the system message, the same variables except facts. Empty = the built-in
    /// one: instructions, the runbook and its allowed actions. Keep it the same for every incident of an SOP (no
    /// route or alert text): the pool then evaluates it once and shares it between incidents.</summary>
    public string? SystemTemplate { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DeadlineMs is > 0 and < 100)
            yield return new ValidationResult(
                $"{Section}:DeadlineMs is {DeadlineMs}; use 0 (derive it from the model's measured speed) or at least 100 ms.", [nameof(DeadlineMs)]);
        if (MaxTokens is > 0 and < 16)
            yield return new ValidationResult(
                $"{Section}:MaxTokens is {MaxTokens}; use 0 (the grammar's longest answer) or at least 16 tokens.", [nameof(MaxTokens)]);
        // Alert text is untrusted; only the user message may carry it, where the system prompt says it is data.
        if (SystemTemplate is { } system && system.Contains("$facts", StringComparison.Ordinal))
            yield return new ValidationResult(
                $"{Section}:SystemTemplate uses {{{{$facts}}}}; alert text is untrusted and belongs in {Section}:PromptTemplate (the user message).",
                [nameof(SystemTemplate)]);
    }
}
