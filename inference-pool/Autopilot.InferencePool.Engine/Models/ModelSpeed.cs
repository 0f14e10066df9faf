namespace Autopilot.InferencePool.Engine.Models;

/// <summary>
/// How fast the loaded model reads a prompt and writes tokens on this machine, measured once at start-up. A request
/// that names no deadline gets one derived from these rates and its own size, so a 7B model on CPU is given the
/// seconds it needs and a small model is not left waiting on a stuck session for the same 20 s. The rates are measured
/// with one sequence; every session the pool runs shares each decoding step (and the machine's cores), so the time is
/// scaled by the sessions that may run together — under a storm a request must not miss a deadline measured alone.
/// </summary>
public sealed record ModelSpeed(double PromptTokensPerSecond, double GenerationTokensPerSecond)
{
    /// <summary>Headroom over the measured time: concurrent sessions and grammar sampling cost extra.</summary>
    public const double SafetyFactor = 3.0;

    /// <summary>Fixed cost per request (scheduling, lease, parsing).</summary>
    public const int OverheadMs = 500;

    public int DeadlineMs(int promptTokens, int maxTokens, int capMs, int concurrentSessions = 1)
    {
        var alone = promptTokens / PromptTokensPerSecond + maxTokens / GenerationTokensPerSecond;
        var seconds = alone * Math.Max(1, concurrentSessions);
        var ms = OverheadMs + SafetyFactor * seconds * 1000;
        return (int)Math.Clamp(Math.Ceiling(ms), 1_000, Math.Max(1_000, capMs));
    }
}
