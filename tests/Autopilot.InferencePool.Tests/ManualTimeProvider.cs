namespace Autopilot.InferencePool.Tests;

/// <summary>A clock the test moves by hand while timers still run on real time: the lease sweep keeps its own
/// period, as in production. Not FakeTimeProvider, whose timers fire only inside Advance.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
