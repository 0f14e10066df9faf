namespace Autopilot.Remediation.Policies;

/// <summary>
/// Who may answer a change that waits for a human: a policy's "approvers" entries, group:NAME (a group claim of the
/// person's token) or user:SUBJECT (its subject). The autopilot's own identity never may: whoever proposes a change
/// cannot also approve it.
/// </summary>
public static class Approvers
{
    public static bool IsValidEntry(string entry) =>
        (entry.StartsWith("group:", StringComparison.Ordinal) || entry.StartsWith("user:", StringComparison.Ordinal))
        && entry[(entry.IndexOf(':') + 1)..].Trim().Length > 0;

    /// <summary>Null when the person may answer for this policy, else why not.</summary>
    public static string? Refusal(RoutePolicy policy, string subject, IReadOnlyCollection<string> groups, string proposerSubject)
    {
        if (string.IsNullOrWhiteSpace(subject)) return "the token names no subject, so the answer could not be recorded against a person";
        if (string.Equals(subject, proposerSubject, StringComparison.Ordinal)) return $"'{subject}' is the autopilot's own identity, which proposes changes and may never approve them";
        if (policy.Approvers is not { Count: > 0 } approvers) return null;
        var allowed = approvers.Any(a => a == $"user:{subject}" || (a.StartsWith("group:", StringComparison.Ordinal) && groups.Contains(a["group:".Length..])));
        return allowed ? null : $"'{subject}' is not among policy {policy.Name}'s approvers ({string.Join(", ", approvers)})";
    }
}
