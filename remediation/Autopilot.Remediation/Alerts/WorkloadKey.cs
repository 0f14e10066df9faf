using System.Diagnostics.CodeAnalysis;

namespace Autopilot.Remediation.Alerts;

/// <summary>Identifies one workload: "namespace/workload". Also the IncidentActor's id.</summary>
public readonly record struct WorkloadKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out WorkloadKey? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1 || text.IndexOf('/', slash + 1) >= 0) return false;
        key = new WorkloadKey(text[..slash], text[(slash + 1)..]);
        return true;
    }

    public static WorkloadKey Parse(string text) =>
        TryParse(text, out var key) ? key.Value : throw new FormatException($"'{text}' is not a workload key of the form namespace/workload.");
}
