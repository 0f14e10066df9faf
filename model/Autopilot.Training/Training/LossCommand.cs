namespace Autopilot.Training;

/// <summary>
/// <c>loss</c>: the mean cross-entropy of a data file's counted predictions under a model, through the same packing
/// and graph as training but forward only. It exists so the training graph can be checked against inference.
/// </summary>
internal static class LossCommand
{
    public static void Run(LossSettings settings, ProgressEvents events)
    {
        var model = GgufFile.Open(settings.Model);
        var shape = LlamaShape.Read(model);
        TrainCommand.WarnIfWindowExceedsContext(settings.Window, shape);
        var data = ExampleSet.Select(ExampleFile.Read(settings.Data, shape.VocabularySize), settings.Window, settings.Loss);
        TrainCommand.ReportSkipped("loss", data);
        if (data.Examples.Count == 0) throw new TrainerException($"{settings.Data} has no example with a counted prediction that fits the window.");

        var windows = WindowPacker.Pack(data.Examples, Enumerable.Range(0, data.Examples.Count), settings.Window);
        var rows = windows.Max(w => WindowPacker.CountedRows(data.Examples, w, settings.Loss));
        using var graph = new TrainingGraph(model, shape, settings.Window, rows, settings.Threads, trainable: false);
        var score = TrainCommand.Evaluate(graph, new WindowInputs(settings.Window, rows), data.Examples, windows, settings.Loss);
        events.Loss(score.MeanLoss, score.Rows);
    }
}
