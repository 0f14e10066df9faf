using System.Diagnostics;

namespace Autopilot.Training;

/// <summary>
/// <c>train</c>: packs the training examples, runs one AdamW step per window under the learning-rate schedule,
/// scores the validation set after each epoch, and writes the trained weights into a copy of the input GGUF.
/// Progress: a step event's loss is the mean over the counted rows since the previous step event (scored on the
/// forward pass of each step, before its update); tokensPerSecond counts example tokens (not padding) per second
/// spent in training steps; etaSeconds extrapolates that pace over the remaining steps (validation excluded).
/// </summary>
internal static class TrainCommand
{
    /// <summary>A step event every this many steps (and after the last).</summary>
    private const int StepEventInterval = 10;

    public static void Run(TrainSettings settings, ProgressEvents events)
    {
        var clock = Stopwatch.StartNew();
        var model = GgufFile.Open(settings.Model);
        var shape = LlamaShape.Read(model);
        WarnIfWindowExceedsContext(settings.Window, shape);

        var train = ExampleSet.Select(ExampleFile.Read(settings.Train, shape.VocabularySize), settings.Window, settings.Loss);
        if (train.Examples.Count == 0)
            throw new TrainerException($"{settings.Train} has no usable example ({train.TooLong} longer than the window of " +
                $"{settings.Window}, {train.NothingToPredict} with nothing to predict).");
        var valid = settings.Valid is null ? null
            : ExampleSet.Select(ExampleFile.Read(settings.Valid, shape.VocabularySize), settings.Window, settings.Loss);
        ReportSkipped("training", train);
        if (valid is not null) ReportSkipped("validation", valid);

        var plan = TrainingPlan.Create(train.Examples, settings.Epochs, settings.Window, settings.Seed, settings.MaxSteps);
        var validWindows = valid is null ? [] : WindowPacker.Pack(valid.Examples, Enumerable.Range(0, valid.Examples.Count), settings.Window);
        // Extra rows train prompt predictions (copy events first, see WindowInputs) beside the counted ones.
        var rows = Math.Min(settings.Window, settings.ExtraRows + Math.Max(plan.MaxCountedRows(train.Examples, settings.Loss),
            validWindows.Select(w => WindowPacker.CountedRows(valid!.Examples, w, settings.Loss)).DefaultIfEmpty(0).Max()));

        using var graph = new TrainingGraph(model, shape, settings.Window, rows, settings.Threads, trainable: true);
        var inputs = new WindowInputs(settings.Window, rows);
        var schedule = new LearningRateSchedule(settings.LearningRate, settings.MinLearningRateRatio, settings.WarmupSteps, plan.TotalSteps);
        events.Start(train.Examples.Count, train.Skipped, plan.Epochs[0].Count, settings.Window, rows, graph.ParameterCount,
            plan.TotalSteps, plan.Epochs.Count);

        long step = 0, tokens = 0;
        double trainSeconds = 0;
        var sinceLastEvent = new WindowScore();
        for (var epoch = 0; epoch < plan.Epochs.Count; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            var epochScore = new WindowScore();
            foreach (var window in plan.Epochs[epoch])
            {
                var stepClock = Stopwatch.StartNew();
                inputs.Fill(train.Examples, window, settings.Loss, settings.DecisionWeight);
                var score = graph.Run(inputs, train: true, schedule.At(step));
                trainSeconds += stepClock.Elapsed.TotalSeconds;
                tokens += inputs.UsedSlots;
                step++;
                epochScore += score;
                sinceLastEvent += score;
                if (step % StepEventInterval == 0 || step == plan.TotalSteps)
                {
                    var secondsPerStep = trainSeconds / step;
                    events.Step(epoch + 1, step, plan.TotalSteps, sinceLastEvent.MeanLoss, tokens / trainSeconds,
                        secondsPerStep * (plan.TotalSteps - step));
                    sinceLastEvent = new WindowScore();
                }
            }
            var validScore = valid is null ? (WindowScore?)null : Evaluate(graph, inputs, valid.Examples, validWindows, settings.Loss);
            events.Epoch(epoch + 1, epochScore, validScore, epochClock.Elapsed.TotalSeconds);
        }

        GgufWeightsWriter.Write(model, settings.Out, graph.ReadWeights());
        events.Done(Path.GetFullPath(settings.Out), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Forward passes only; the same graph, so the same numbers inference would give.</summary>
    public static WindowScore Evaluate(TrainingGraph graph, WindowInputs inputs, IReadOnlyList<TrainingExample> examples,
        IEnumerable<int[]> windows, LossScope scope)
    {
        var total = new WindowScore();
        foreach (var window in windows)
        {
            inputs.Fill(examples, window, scope);
            total += graph.Run(inputs, train: false);
        }
        return total;
    }

    public static void WarnIfWindowExceedsContext(int window, LlamaShape shape)
    {
        if (window > shape.ContextLength)
            Console.Error.WriteLine($"warning: --window {window} exceeds the model's context length {shape.ContextLength}; " +
                "examples longer than the context will be trained at positions inference does not use.");
    }

    public static void ReportSkipped(string what, ExampleSet set)
    {
        if (set.Skipped > 0)
            Console.Error.WriteLine($"{what} data: skipped {set.TooLong} example(s) longer than the window and " +
                $"{set.NothingToPredict} with nothing to predict; {set.Examples.Count} used.");
    }
}
