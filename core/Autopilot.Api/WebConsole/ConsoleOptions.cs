using System.ComponentModel.DataAnnotations;

namespace Autopilot.Api.WebConsole;

/// <summary>Configuration section "Autopilot:Console": the operator console at /console.</summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string Section = "Autopilot:Console";

    /// <summary>How often an open page fetches its live part again, in seconds; 0 turns live updates off.</summary>
    public int RefreshSeconds { get; set; } = 5;

    /// <summary>The newest incidents the incident list and the route history read from the journal.</summary>
    public int IncidentsShown { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RefreshSeconds is < 0 or > 3600)
            yield return new ValidationResult($"{Section}:RefreshSeconds is {RefreshSeconds}; use seconds between 1 and 3600, or 0 to turn live updates off.", [nameof(RefreshSeconds)]);
        if (IncidentsShown is < 1 or > ListLimit.Max)
            yield return new ValidationResult($"{Section}:IncidentsShown is {IncidentsShown}; use a number of incidents between 1 and {ListLimit.Max}.", [nameof(IncidentsShown)]);
    }
}
