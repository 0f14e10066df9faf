using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Core.Changes;

/// <summary>The HMAC key approvals are verified with; construction refuses a key that is too short.</summary>
public sealed class ApprovalKey
{
    public ApprovalKey(byte[] bytes)
    {
        if (bytes.Length < ApprovalToken.MinimumKeyBytes)
            throw new ArgumentException($"The approval signing key has {bytes.Length} bytes; it needs at least {ApprovalToken.MinimumKeyBytes}.", nameof(bytes));
        Bytes = bytes;
    }

    public byte[] Bytes { get; }

    public static ApprovalKey FromSecret(string? secret) => new(ApprovalToken.KeyFromSecret(secret));
}
