namespace Autopilot.Testing;

/// <summary>
/// A clock the test moves by hand while timers and delays keep real time. Not FakeTimeProvider (used where a test
/// drives timers too): its timers fire only inside Advance, so a loop's settle delay or the pool's lease sweep, which
/// run on their own, would stall until a test advanced the clock at the right moment.
/// </summary>
public sealed class HandMovedClock(DateTimeOffset start) : TimeProvider
{
    public HandMovedClock() : this(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero))
    {
    }

    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
