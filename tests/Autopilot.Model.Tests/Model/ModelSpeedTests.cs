using Autopilot.InferencePool.Engine.Models;

namespace Autopilot.Model.Tests.Model;

public sealed class ModelSpeedTests
{
    [Fact]
    public void A_slow_model_gets_the_seconds_its_prompt_and_answer_need()
    {
        // A 7B model on 2 cores: 25 prompt tokens/s, 6 tokens/s written.
        var deadline = new ModelSpeed(25, 6).DeadlineMs(300, 60, capMs: 120_000);
        Assert.Equal(500 + 3 * (12_000 + 10_000), deadline);
    }

    [Fact]
    public void Every_session_that_may_share_the_decoding_steps_lengthens_the_deadline()
    {
        var alone = new ModelSpeed(1_000, 100).DeadlineMs(300, 60, capMs: 120_000);
        var withEightSessions = new ModelSpeed(1_000, 100).DeadlineMs(300, 60, capMs: 120_000, concurrentSessions: 8);
        Assert.Equal(500 + 3 * 900, alone);
        Assert.Equal(500 + 8 * 3 * 900, withEightSessions);
    }

    [Fact]
    public void A_fast_model_gets_at_least_a_second_and_never_more_than_the_cap()
    {
        Assert.Equal(1_000, new ModelSpeed(20_000, 2_000).DeadlineMs(300, 60, capMs: 60_000));
        Assert.Equal(60_000, new ModelSpeed(1, 1).DeadlineMs(300, 60, capMs: 60_000));
    }
}
