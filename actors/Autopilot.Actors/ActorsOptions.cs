using System.ComponentModel.DataAnnotations;
using Autopilot.Actors.Incidents;
using Microsoft.Extensions.Options;

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

/// <summary>Which part of the loop this process hosts (configuration "Autopilot:Actors:Role").</summary>
public enum ActorsRole
{
    /// <summary>Both, in one Dapr app: a local `dapr run`, tye.</summary>
    All,

    /// <summary>The incident loop (app-id autopilot-actors): IncidentActor, the webhook, the subscriptions, the restore
    /// workflow and the HTTP surface. No signing key, no gateway-bridge client.</summary>
    Incidents,

    /// <summary>The guardrail (app-id autopilot-guardrail): GuardrailActor with the signing key and the gateway-bridge
    /// client, and nothing else, so Dapr access control, secret scopes, RBAC and NetworkPolicies can tell it apart.</summary>
    Guardrail,
}

/// <summary>Configuration section "Autopilot:Actors". The role decides what is registered, so it is read (and checked)
/// once by <see cref="RoleFrom"/> while the host is built, before options exist; a bad value stops start-up the way
/// option validation does. The class is the section's shape, for appsettings.json and its defaults test.</summary>
public sealed class ActorsHostOptions
{
    public const string Section = "Autopilot:Actors";

    [EnumDataType(typeof(ActorsRole))]
    public ActorsRole Role { get; set; } = ActorsRole.All;

    public static ActorsRole RoleFrom(IConfiguration configuration)
    {
        var value = configuration[Section + ":Role"];
        if (string.IsNullOrEmpty(value)) return ActorsRole.All;
        return Enum.TryParse<ActorsRole>(value, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new OptionsValidationException(Section, typeof(ActorsHostOptions),
                [$"{Section}:Role is '{value}'; use All, Incidents or Guardrail."]);
    }
}

public static class ActorsRoleExtensions
{
    public static bool HostsIncidents(this ActorsRole role) => role is ActorsRole.All or ActorsRole.Incidents;

    public static bool HostsGuardrail(this ActorsRole role) => role is ActorsRole.All or ActorsRole.Guardrail;
}
