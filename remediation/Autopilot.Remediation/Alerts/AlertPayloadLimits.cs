namespace Autopilot.Remediation.Alerts;

/// <summary>Bounds on what an alert payload may contain. The defaults accept anything a real
/// Alertmanager sends and reject bodies that would only be abuse or a misconfigured producer.</summary>
public sealed record AlertPayloadLimits
{
    public static AlertPayloadLimits Default { get; } = new();

    public int MaxBodyBytes { get; init; } = 1024 * 1024;
    public int MaxDepth { get; init; } = 16;
    public int MaxAlerts { get; init; } = 10_000;
    public int MaxLabelsPerAlert { get; init; } = 64;
    public int MaxAnnotationsPerAlert { get; init; } = 64;
    public int MaxLabelNameLength { get; init; } = 128;
    public int MaxLabelValueLength { get; init; } = 1024;
    public int MaxAnnotationValueLength { get; init; } = 16 * 1024;
    public int MaxFingerprintLength { get; init; } = 128;
    public int MaxUrlLength { get; init; } = 4096;
    public int MaxShortFieldLength { get; init; } = 1024;
}
