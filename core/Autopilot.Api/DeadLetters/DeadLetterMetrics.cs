using System.Diagnostics.Metrics;
using Autopilot.Incidents.Telemetry;

namespace Autopilot.Api.DeadLetters;

/// <summary>The dead-letter counters on the loop's meter (the same Meter the factory hands out for that name):
/// letters stored, and letters let go because the store already held <see cref="DeadLetterOptions.MaxKept"/>.</summary>
public sealed class DeadLetterMetrics
{
    public DeadLetterMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(LoopTelemetry.Name);
        Stored = meter.CreateCounter<long>("autopilot.deadletters.stored", description: "Dead letters stored for GET /dead-letters.");
        Dropped = meter.CreateCounter<long>("autopilot.deadletters.dropped",
            description: "Dead letters let go (oldest first) because the store held Autopilot:DeadLetters:MaxKept.");
    }

    public Counter<long> Stored { get; }

    public Counter<long> Dropped { get; }
}
