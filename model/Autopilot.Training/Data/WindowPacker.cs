namespace Autopilot.Training;

/// <summary>
/// Packs examples into windows of at most <c>window</c> input slots, each example whole: first fit in the given (shuffled)
/// order, so a short example fills the gap a long one left in an earlier window. Padding is compute spent on nothing;
/// first fit keeps it near 10 % where filling windows strictly in order left about 15 %. Each window is the list of
/// example indexes it holds.
/// </summary>
internal static class WindowPacker
{
    public static List<int[]> Pack(IReadOnlyList<TrainingExample> examples, IEnumerable<int> order, int window)
    {
        var windows = new List<List<int>>();
        var used = new List<int>();
        foreach (var index in order)
        {
            var length = examples[index].InputLength;
            if (length > window) throw new ArgumentException($"example {index} ({length} inputs) does not fit a window of {window}");
            var target = used.FindIndex(u => u + length <= window);
            if (target < 0)
            {
                windows.Add([]);
                used.Add(0);
                target = windows.Count - 1;
            }
            windows[target].Add(index);
            used[target] += length;
        }
        return [.. windows.Select(w => w.ToArray())];
    }

    /// <summary>The counted predictions of one window.</summary>
    public static int CountedRows(IReadOnlyList<TrainingExample> examples, int[] window, LossScope scope) =>
        window.Sum(index => examples[index].CountedRows(scope));
}
