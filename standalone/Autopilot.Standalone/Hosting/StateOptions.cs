using System.ComponentModel.DataAnnotations;

namespace Autopilot.Standalone.Hosting;

/// <summary>Configuration section "Autopilot:State": how much of the state directory the stand-alone host keeps in memory.</summary>
public sealed class StateOptions : IValidatableObject
{
    public const string Section = "Autopilot:State";

    /// <summary>Closed incidents whose summaries GET /incidents lists from memory, newest first; older ones stay on disk
    /// (GET /incidents/{id} still reads them). Open incidents are always held.</summary>
    public int ClosedIncidentsKept { get; set; } = InProcessRuntime.FileIncidentJournal.DefaultClosedKept;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClosedIncidentsKept is < 0 or > 100_000)
            yield return new ValidationResult(
                $"{Section}:ClosedIncidentsKept is {ClosedIncidentsKept}; use a number of incidents between 0 and 100000.", [nameof(ClosedIncidentsKept)]);
    }
}
