using Autopilot.Remediation.Alerts;

namespace Autopilot.Remediation.Knowledge;

/// <summary>What to look up: the incident's alerts (structured matching) and its fact sheet text (BM25).</summary>
public sealed record SopQuery(IReadOnlyList<Alert> Alerts, string FactText);

/// <summary>Finds the SOPs and post-mortems that apply to an incident, best first.</summary>
public interface ISopRetriever
{
    IReadOnlyList<SopMatch> Retrieve(SopQuery query, int top = 3);
}

/// <summary>One problem in one SOP file: which key, what is wrong, what would be valid.</summary>
public sealed record SopValidationError(string File, string Key, string Message, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{File}:{line}: {Key}: {Message}" : $"{File}: {Key}: {Message}";
}

public sealed class SopValidationException(IReadOnlyList<SopValidationError> errors)
    : Exception("Invalid SOP document:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public IReadOnlyList<SopValidationError> Errors { get; } = errors;
}
