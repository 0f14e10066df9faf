namespace Autopilot.Training;

/// <summary>
/// The examples that can be trained on with a given window and loss scope, and how many were left out: those whose
/// inputs do not fit in one window (they would have to be cut, and inference never sees a cut prompt) and those
/// with no counted prediction (nothing to learn from, e.g. an empty completion).
/// </summary>
internal sealed record ExampleSet(IReadOnlyList<TrainingExample> Examples, int Skipped, int TooLong, int NothingToPredict)
{
    public static ExampleSet Select(IEnumerable<TrainingExample> all, int window, LossScope scope)
    {
        var usable = new List<TrainingExample>();
        int tooLong = 0, nothing = 0;
        foreach (var example in all)
        {
            if (example.InputLength > window) tooLong++;
            else if (example.CountedRows(scope) == 0) nothing++;
            else usable.Add(example);
        }
        return new ExampleSet(usable, tooLong + nothing, tooLong, nothing);
    }

    public long CountedRows(LossScope scope) => Examples.Sum(e => (long)e.CountedRows(scope));
}
