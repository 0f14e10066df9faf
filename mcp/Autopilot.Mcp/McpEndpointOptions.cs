using System.ComponentModel.DataAnnotations;

namespace Autopilot.Mcp;

/// <summary>Configuration section "Autopilot:Mcp", shown with its defaults in actors/Autopilot.Actors/appsettings.json;
/// the stand-alone host from the environment (Autopilot__Mcp__LegacySse=true; its settings file names only what it
/// sets differently).</summary>
public sealed class McpEndpointOptions : IValidatableObject
{
    public const string Section = "Autopilot:Mcp";

    /// <summary>Also serve the older HTTP+SSE transport (2024-11-05) at /mcp/sse and /mcp/message, for clients
    /// that do not speak streamable HTTP. Needs session affinity when several replicas serve /mcp.</summary>
    public bool LegacySse { get; set; }

    /// <summary>With <see cref="LegacySse"/> the server keeps a session in memory for each streamable-HTTP client that
    /// sends initialize; one idle this long is dropped (the client starts a new one). The SDK's own default is 2 hours.
    /// An SSE session lives exactly as long as its GET /mcp/sse stream.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SessionIdleTimeout < TimeSpan.FromMinutes(1) || SessionIdleTimeout > TimeSpan.FromDays(1))
            yield return new ValidationResult(
                $"{Section}:SessionIdleTimeout is {SessionIdleTimeout}; use a time between 00:01:00 and 1.00:00:00.", [nameof(SessionIdleTimeout)]);
    }
}
