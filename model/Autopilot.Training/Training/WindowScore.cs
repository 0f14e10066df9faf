namespace Autopilot.Training;

/// <summary>Summed cross-entropy (nats) and correct argmax predictions over some counted rows.</summary>
internal readonly record struct WindowScore(double LossSum, long Correct, long Rows)
{
    public static WindowScore operator +(WindowScore a, WindowScore b) => new(a.LossSum + b.LossSum, a.Correct + b.Correct, a.Rows + b.Rows);

    public double? MeanLoss => Rows > 0 ? LossSum / Rows : null;
    public double? Accuracy => Rows > 0 ? (double)Correct / Rows : null;

    /// <summary>
    /// Scores the first <paramref name="rows"/> columns of logits [vocabulary, K] against their targets, in double
    /// precision. Computed here rather than read from ggml-opt's result, whose loss also averages the filler rows.
    /// </summary>
    public static WindowScore FromLogits(ReadOnlySpan<float> logits, int vocabulary, ReadOnlySpan<int> targets, int rows)
    {
        double lossSum = 0;
        long correct = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = logits.Slice(r * vocabulary, vocabulary);
            var best = 0;
            for (var v = 1; v < row.Length; v++) if (row[v] > row[best]) best = v;
            double max = row[best], sum = 0;
            foreach (var value in row) sum += Math.Exp(value - max);
            lossSum += max + Math.Log(sum) - row[targets[r]];
            if (best == targets[r]) correct++;
        }
        return new WindowScore(lossSum, correct, rows);
    }
}
