using System.ComponentModel.DataAnnotations;

namespace Autopilot.Incidents.Guardrail;

/// <summary>The approval signing key, "Autopilot:Guardrail:SigningKey": options of their own, bound and checked only
/// where the guardrail runs (<see cref="GuardrailServiceCollectionExtensions.AddAutopilotGuardrail"/>), so a process
/// that hosts only the incident loop never holds the key, nor needs it to start.</summary>
public sealed class GuardrailKeyOptions : IValidatableObject
{
    /// <summary>Shared with gateway-bridge (secret store "autopilot-secrets", key "approval-signing-key"; at least 32
    /// bytes: base64 or text).</summary>
    public string? SigningKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? problem = null;
        try
        {
            GuardrailServices.SigningKeyFrom(this);
        }
        catch (InvalidOperationException e)
        {
            problem = e.Message;
        }
        if (problem is not null) yield return new ValidationResult(problem, [nameof(SigningKey)]);
    }
}
