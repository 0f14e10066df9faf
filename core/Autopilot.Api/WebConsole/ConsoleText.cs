using System.Globalization;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;

namespace Autopilot.Api.WebConsole;

/// <summary>How the console writes paths, times, ratios and weights, the same on every page.</summary>
public static class ConsoleText
{
    public const string IncidentsPath = OperatorConsole.Root + "/";
    public const string ApprovalsPath = OperatorConsole.Root + "/approvals";
    public const string RoutesPath = OperatorConsole.Root + "/routes";
    public const string SignInPath = OperatorConsole.Root + "/sign-in";

    public static string IncidentPath(string incidentId) => $"{OperatorConsole.Root}/incidents/{Uri.EscapeDataString(incidentId)}";

    /// <summary>The audit JSON of an incident (GET /incidents/{id}).</summary>
    public static string AuditPath(string incidentId) => $"/incidents/{Uri.EscapeDataString(incidentId)}";

    public static string AnswerPath(RouteRef route, string changeId) =>
        $"{OperatorConsole.Root}/answers/{Uri.EscapeDataString(route.Namespace)}/{Uri.EscapeDataString(route.Name)}/{Uri.EscapeDataString(changeId)}";

    public static string UndoPath(string incidentId) => $"{OperatorConsole.Root}/undo/{Uri.EscapeDataString(incidentId)}";

    public static string Age(TimeSpan age) => age.TotalSeconds switch
    {
        < 0 => "0 s",
        < 120 => $"{(int)age.TotalSeconds} s",
        < 7200 => $"{(int)age.TotalMinutes} min",
        < 172_800 => $"{(int)age.TotalHours} h",
        _ => $"{(int)age.TotalDays} d",
    };

    public static string Duration(double milliseconds) => milliseconds < 1000
        ? $"{milliseconds.ToString("0", CultureInfo.InvariantCulture)} ms"
        : $"{(milliseconds / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s";

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "no data" : $"{(ratio * 100).ToString("0.0", CultureInfo.InvariantCulture)} %";

    public static string Milliseconds(double ms) => double.IsNaN(ms) ? "no data" : $"{ms.ToString("0", CultureInfo.InvariantCulture)} ms";

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Weights(IEnumerable<BackendWeight> weights) => string.Join(" · ", weights.Select(w => $"{w.Name} {w.Weight}"));

    /// <summary>A CSS class per kind of phase: open, handed to humans, or settled.</summary>
    public static string PhaseClass(IncidentPhase phase) => phase switch
    {
        IncidentPhase.Escalated or IncidentPhase.Denied or IncidentPhase.RolledBack => "phase bad",
        IncidentPhase.Resolved => "phase good",
        _ => "phase open",
    };
}
