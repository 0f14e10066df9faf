using System.ComponentModel.DataAnnotations;

namespace Autopilot.Api.Identity;

/// <summary>
/// Configuration section "Autopilot:Identity": who may act as a human on the API (approve or reject a change). A
/// person signs in with the organisation's identity provider and presents its JWT; the approver recorded is the
/// token's subject, never a name in the request. Keys come from OIDC discovery (<see cref="Authority"/>) or are
/// given here (<see cref="SigningKeys"/>). With neither, nothing can approve (every approval answers 401).
/// </summary>
public sealed class IdentityOptions : IValidatableObject
{
    public const string Section = "Autopilot:Identity";

    /// <summary>OIDC issuer to discover signing keys from, e.g. https://login.example.com/realms/ops; empty = use SigningKeys.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The "iss" tokens must carry (defaults to Authority when that is set).</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The "aud" tokens must carry.</summary>
    [Required]
    public string Audience { get; set; } = "autopilot";

    /// <summary>HMAC-SHA256 keys (base64, at least 32 bytes) tokens may be signed with; for a provider without discovery and for stand-alone mode.</summary>
    public List<string>? SigningKeys { get; set; }

    /// <summary>The claim naming the person (recorded as the approver).</summary>
    [Required]
    public string SubjectClaim { get; set; } = "sub";

    /// <summary>The claim listing the person's groups, matched against a policy's approvers ("group:NAME").</summary>
    [Required]
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The autopilot's own identity: whatever proposes a change can never approve it.</summary>
    [Required]
    public string ProposerSubject { get; set; } = "system:autopilot";

    public bool Configured => Authority.Length > 0 || SigningKeys is { Count: > 0 };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Authority.Length > 0 && (!Uri.TryCreate(Authority, UriKind.Absolute, out var uri) || uri.Scheme != "https"))
            yield return new ValidationResult($"{Section}:Authority is '{Authority}'; give the https URL of the OIDC issuer (its /.well-known/openid-configuration is read), or leave it empty and set SigningKeys.", [nameof(Authority)]);
        for (var i = 0; i < (SigningKeys?.Count ?? 0); i++)
        {
            if (KeyBytes(SigningKeys![i]) is not { Length: >= 32 })
                yield return new ValidationResult($"{Section}:SigningKeys:{i} is not a base64 key of at least 32 bytes (e.g. `openssl rand -base64 32`).", [nameof(SigningKeys)]);
        }
        if (SigningKeys is { Count: > 0 } && Issuer.Length == 0)
            yield return new ValidationResult($"{Section}:Issuer is empty; with SigningKeys, name the issuer the tokens carry (their \"iss\").", [nameof(Issuer)]);
    }

    public static byte[]? KeyBytes(string key)
    {
        try
        {
            return Convert.FromBase64String(key.Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
