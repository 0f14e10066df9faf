using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Guardrail;

/// <summary>What every route's guardrail shares: the policies, the signing key, options, clock and telemetry.
/// Deliberately without the gateway-bridge client: only GuardrailProcess takes that.</summary>
public sealed class GuardrailServices(
    PolicySet policies,
    IOptions<GuardrailOptions> options,
    IOptions<GuardrailKeyOptions> key,
    TimeProvider time,
    LoopTelemetry telemetry,
    ILoggerFactory loggerFactory)
{
    private readonly Lazy<byte[]> _signingKey = new(() => SigningKeyFrom(key.Value));

    public PolicySet Policies { get; } = policies;
    public GuardrailOptions Options { get; } = options.Value;
    public TimeProvider Time { get; } = time;
    public LoopTelemetry Telemetry { get; } = telemetry;
    public ILogger Logger { get; } = loggerFactory.CreateLogger("Autopilot.Guardrail");

    public byte[] SigningKey => _signingKey.Value;

    /// <exception cref="InvalidOperationException">The key is missing or too short; the message names the key.</exception>
    public static byte[] SigningKeyFrom(GuardrailKeyOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.SigningKey))
            throw new InvalidOperationException(
                $"{GuardrailOptions.Section}:SigningKey is not set; give the approval signing key shared with gateway-bridge "
                + "(secret store 'autopilot-secrets', key 'approval-signing-key'; at least 32 bytes, base64 or text).");
        try
        {
            return ApprovalToken.KeyFromSecret(options.SigningKey);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{GuardrailOptions.Section}:SigningKey is not usable: {e.Message}", e);
        }
    }
}
