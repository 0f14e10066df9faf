namespace Autopilot.Standalone.Adapters;

/// <summary>Names of the keyed processes' areas: the executor key prefix, the state folder and the reminder owner.</summary>
public static class ProcessKeys
{
    public const string Incident = "incident";
    public const string Guardrail = "guardrail";

    public static string Mailbox(string area, string key) => $"{area}:{key}";
}
