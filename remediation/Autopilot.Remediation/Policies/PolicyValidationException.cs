namespace Autopilot.Remediation.Policies;

/// <summary>One thing wrong in a policy file: where, which key, what is wrong and what would be valid.</summary>
public sealed record PolicyProblem(string Source, int Line, string Key, string Message)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}: {Key}: {Message}" : $"{Source}: {Key}: {Message}";
}

/// <summary>Policy files that cannot be used; lists every problem found, not just the first.</summary>
public sealed class PolicyValidationException(IReadOnlyList<PolicyProblem> problems)
    : Exception(FormatMessage(problems))
{
    public IReadOnlyList<PolicyProblem> Problems { get; } = problems;

    private static string FormatMessage(IReadOnlyList<PolicyProblem> problems) =>
        $"Invalid policy configuration ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
        + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
