namespace Autopilot.Actors.Tests.Support;

/// <summary>A clock the test moves, while timers and delays keep real time. Not FakeTimeProvider: its timers fire
/// only inside Advance, so a restore's settle delay (Task.Delay on this clock) would stall the loop until a test
/// advanced it at the right moment.</summary>
public sealed class TestTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
