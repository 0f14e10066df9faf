namespace Autopilot.Actors.Tests.Support;

/// <summary>A clock the test moves. Delays complete at once (restore steps settle instantly).</summary>
public sealed class TestTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
