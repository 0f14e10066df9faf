using Autopilot.Training;

namespace Autopilot.Model.Tests.Training;

/// <summary>Packing, masks and row selection, checked in process (no native code involved).</summary>
public sealed class WindowPackingTests
{
    private static readonly TrainingExample First = new([1, 10, 11, 12, 2], PromptLength: 3);  // inputs 1 10 11 12
    private static readonly TrainingExample Second = new([1, 20, 21, 2], PromptLength: 2);     // inputs 1 20 21

    [Fact]
    public void Packed_examples_restart_positions_and_see_only_their_own_earlier_tokens()
    {
        var inputs = new WindowInputs(window: 8, rows: 5);
        inputs.Fill([First, Second], [0, 1], LossScope.Completion);

        Assert.Equal([1, 10, 11, 12, 1, 20, 21, 0], inputs.Tokens);
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 0], inputs.Positions);
        Assert.Equal(7, inputs.UsedSlots);
        bool Sees(int query, int key) => inputs.Mask[query * 8 + key] == 0f;
        Assert.True(Sees(3, 0) && Sees(3, 3) && !Sees(3, 4) && !Sees(2, 3));
        Assert.True(Sees(6, 4) && !Sees(6, 3) && !Sees(4, 0));
        Assert.True(Sees(7, 7) && !Sees(7, 0));                   // padding attends to itself only
        Assert.All(Enumerable.Range(0, 8), q => Assert.True(float.IsNegativeInfinity(inputs.Mask[q * 8 + 7]) || q == 7));
    }

    [Fact]
    public void Counted_rows_come_first_and_filler_rows_are_real_predictions()
    {
        var inputs = new WindowInputs(window: 8, rows: 7);
        inputs.Fill([First, Second], [0, 1], LossScope.Completion);

        // First counts slots 2,3 (predicting 12, 2); Second counts slots 5,6 (predicting 21, 2).
        Assert.Equal(4, inputs.CountedRows);
        Assert.Equal([2, 3, 5, 6], inputs.Rows[..4]);
        Assert.Equal([12, 2, 21, 2], inputs.Targets[..4]);
        // Fillers: prompt positions with their true next tokens, latest first (slots 4, 1, 0).
        Assert.Equal([4, 1, 0], inputs.Rows[4..]);
        Assert.Equal([20, 11, 10], inputs.Targets[4..]);
    }

    [Fact]
    public void Filler_rows_prefer_copy_events_where_the_prompt_repeats_an_earlier_token()
    {
        // Inputs 1 7 8 7 9: slot 2 predicts the 7 that slot 1 already showed.
        var repeating = new TrainingExample([1, 7, 8, 7, 9, 2], PromptLength: 5);
        var inputs = new WindowInputs(window: 6, rows: 3);
        inputs.Fill([repeating], [0], LossScope.Completion);

        Assert.Equal(1, inputs.CountedRows);
        Assert.Equal([4, 2, 3], inputs.Rows);
        Assert.Equal([2, 7, 9], inputs.Targets);
    }

    [Fact]
    public void All_scope_counts_every_prediction_and_packing_starts_a_new_window_when_full()
    {
        Assert.Equal(4, First.CountedRows(LossScope.All));
        Assert.Equal(2, First.CountedRows(LossScope.Completion));
        var windows = WindowPacker.Pack([First, Second, First], [0, 1, 2], window: 7);
        Assert.Equal([[0, 1], [2]], windows);
    }

    [Fact]
    public void A_short_example_fills_the_gap_an_earlier_window_left()
    {
        // 4 + 4 does not fit 7: the first window keeps 3 slots free, and the 3-slot example goes there, not after.
        var windows = WindowPacker.Pack([First, First, Second], [0, 1, 2], window: 7);
        Assert.Equal([[0, 2], [1]], windows);
    }

    [Fact]
    public void Learning_rate_warms_up_linearly_then_decays_to_the_floor()
    {
        var schedule = new LearningRateSchedule(PeakRate: 1e-3f, MinRatio: 0.1f, WarmupSteps: 10, TotalSteps: 111);
        Assert.Equal(1e-4f, schedule.At(0), 6);
        Assert.Equal(1e-3f, schedule.At(9), 6);
        Assert.Equal(1e-3f, schedule.At(10), 6);
        Assert.Equal(0.55e-3f, schedule.At(60), 6);   // halfway through the cosine
        Assert.Equal(1e-4f, schedule.At(110), 6);     // the last step reaches lr * min-lr-ratio
    }
}
