using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Planning;

/// <summary>Configuration section "Autopilot:Planning": how one proposal is asked of the model.</summary>
public sealed class PlanningOptions
{
    public const string Section = "Autopilot:Planning";

    /// <summary>The pool cancels generation after this; the loop then falls back (SOP default or escalate).</summary>
    [Range(100, 600_000)]
    public int DeadlineMs { get; set; } = 20_000;

    [Range(16, 4096)]
    public int MaxTokens { get; set; } = 160;

    /// <summary>Fixed so that a proposal can be reproduced from the audit trail.</summary>
    public int Seed { get; set; } = 42;

    [Range(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>A Semantic Kernel prompt template (variables: facts, sop_id, sop_title, sop_body, actions, route,
    /// backends, stable). Empty = the built-in template.</summary>
    public string? PromptTemplate { get; set; }
}
