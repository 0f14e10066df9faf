namespace Autopilot.Remediation.Alerts;

public enum AlertStatus
{
    Firing,
    Resolved,
}

/// <summary>One alert as Alertmanager (or any producer on the "alerts" topic) describes it.</summary>
public sealed record Alert(
    string Fingerprint,
    AlertStatus Status,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    string? GeneratorUrl)
{
    public string Name => Labels.TryGetValue("alertname", out var name) ? name : "";

    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}
