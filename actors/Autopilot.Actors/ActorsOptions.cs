using System.ComponentModel.DataAnnotations;
using Autopilot.Actors.Incidents;

namespace Autopilot.Actors;

/// <summary>Configuration section "Autopilot:Journal": where the Dapr host keeps the audit trail (and the dead letters).</summary>
public sealed class JournalOptions
{
    public const string Section = "Autopilot:Journal";

    /// <summary>A Dapr state store component (the actor state store by default).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = Section + ":StateStore is blank; name a Dapr state store component, e.g. actorstate.")]
    public string StateStore { get; set; } = DaprIncidentJournal.DefaultStore;
}

/// <summary>Configuration section "Autopilot:InferencePool": how the Dapr host reaches the inference pool.</summary>
public sealed class PoolClientOptions : IValidatableObject
{
    public const string Section = "Autopilot:InferencePool";

    /// <summary>The pool's URL; unset, Dapr service invocation of "inference-pool" through the sidecar.</summary>
    public string? BaseAddress { get; set; }

    /// <summary>The URL to call: <see cref="BaseAddress"/>, or the sidecar's invoke URL (Dapr tells the app its port).</summary>
    public Uri Address(string? daprHttpPort) =>
        new(BaseAddress ?? $"http://127.0.0.1:{daprHttpPort ?? "3500"}/v1.0/invoke/inference-pool/method/");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseAddress is not null && !(Uri.TryCreate(BaseAddress, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            yield return new ValidationResult(
                $"{Section}:BaseAddress is '{BaseAddress}'; use an absolute http(s) URL such as http://inference-pool:8080/, or leave it unset to go through the Dapr sidecar.",
                [nameof(BaseAddress)]);
    }
}
