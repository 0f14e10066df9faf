namespace Autopilot.Training;

/// <summary>
/// Every window of every epoch, decided before the first step: example order is reshuffled each epoch from the seed
/// (the same inputs and seed give the same windows, hence the same weights), and knowing all windows up front gives
/// the exact step count for the schedule and progress, and the largest count of counted rows for the static graph.
/// </summary>
internal sealed class TrainingPlan
{
    private TrainingPlan(List<List<int[]>> epochs, long totalSteps)
    {
        Epochs = epochs;
        TotalSteps = totalSteps;
    }

    /// <summary>The windows of each epoch that will run (an epoch cut by --max-steps holds only its first windows).</summary>
    public IReadOnlyList<List<int[]>> Epochs { get; }
    public long TotalSteps { get; }

    public static TrainingPlan Create(IReadOnlyList<TrainingExample> examples, int epochs, int window, long seed, long maxSteps)
    {
        var random = new SplitMix64(seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var plans = new List<List<int[]>>();
        long steps = 0;
        for (var epoch = 0; epoch < epochs && (maxSteps <= 0 || steps < maxSteps); epoch++)
        {
            random.Shuffle(order);
            var windows = WindowPacker.Pack(examples, order, window);
            if (maxSteps > 0 && steps + windows.Count > maxSteps) windows = windows.GetRange(0, (int)(maxSteps - steps));
            steps += windows.Count;
            plans.Add(windows);
        }
        return new TrainingPlan(plans, steps);
    }

    public int MaxCountedRows(IReadOnlyList<TrainingExample> examples, LossScope scope) =>
        Epochs.SelectMany(w => w).Select(w => WindowPacker.CountedRows(examples, w, scope)).DefaultIfEmpty(0).Max();
}
