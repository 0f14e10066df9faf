namespace Autopilot.Training;

/// <summary>
/// The graph inputs for one packed window, in buffers reused from window to window:
/// <list type="bullet">
/// <item>tokens and positions: each example's inputs with positions from 0, exactly as inference sees a prompt alone;</item>
/// <item>a block-diagonal causal mask [T, T] (0 = may attend, -inf = may not): a token sees only earlier-or-same
/// tokens of its own example;</item>
/// <item>the <see cref="RowCount"/> input slots whose logits are computed and the token each must predict. The first
/// <see cref="CountedRows"/> are the predictions that count; the graph is static so the rest are filled with other
/// genuine predictions of the window (prompt positions first, then counted ones again), never garbage. Those fillers
/// train too, so the prompt positions chosen are copy events, latest first: a token the same example already showed
/// (a backend name or number met again further down the facts). They exercise the copying an answer needs when it names
/// a backend and quotes its signal.</item>
/// </list>
/// Unused slots after the last example hold token 0 at position 0 attending only to itself (a softmax row needs
/// one finite entry); no selected row ever reads them.
/// </summary>
internal sealed class WindowInputs
{
    private readonly List<(int Slot, int Target, bool Copy)> _uncounted = [];
    private readonly HashSet<int> _seen = [];
    private readonly List<(int Slot, int Target)> _decisions = [];

    public WindowInputs(int window, int rows)
    {
        if (rows < 1 || rows > window) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"must be within 1..{window}");
        Window = window;
        RowCount = rows;
        Tokens = new int[window];
        Positions = new int[window];
        Mask = new float[window * window];
        Rows = new int[rows];
        Targets = new int[rows];
    }

    public int Window { get; }
    public int RowCount { get; }
    public int[] Tokens { get; }
    public int[] Positions { get; }
    public float[] Mask { get; }
    public int[] Rows { get; }
    public int[] Targets { get; }

    /// <summary>How many of <see cref="Rows"/> (from the start) are predictions that count towards the loss.</summary>
    public int CountedRows { get; private set; }

    /// <summary>Input slots holding example tokens (the rest is padding).</summary>
    public int UsedSlots { get; private set; }

    /// <param name="decisionWeight">How many times each example's decision prediction is trained (1 = like any token):
    /// the repeats fill spare rows before the copy events do, so one wrong action costs what a wrong sentence does.</param>
    public void Fill(IReadOnlyList<TrainingExample> examples, int[] window, LossScope scope, int decisionWeight = 1)
    {
        _decisions.Clear();
        Mask.AsSpan().Fill(float.NegativeInfinity);
        _uncounted.Clear();
        int offset = 0, row = 0;
        foreach (var index in window)
        {
            var example = examples[index];
            var length = example.InputLength;
            if (offset + length > Window) throw new ArgumentException($"window holds more than {Window} input slots");
            var firstCounted = example.FirstCountedSlot(scope);
            if (example.DecisionToken is { } decision)
                _decisions.Add((offset + decision - 1, example.Tokens[decision]));
            _seen.Clear();
            for (var i = 0; i < length; i++)
            {
                var slot = offset + i;
                Tokens[slot] = example.Tokens[i];
                Positions[slot] = i;
                Mask.AsSpan(slot * Window + offset, i + 1).Clear();
                var target = example.Tokens[i + 1];
                _seen.Add(example.Tokens[i]);
                if (i < firstCounted) _uncounted.Add((slot, target, _seen.Contains(target)));
                else
                {
                    if (row == RowCount) throw new ArgumentException($"window has more than {RowCount} counted predictions");
                    Rows[row] = slot;
                    Targets[row++] = target;
                }
            }
            offset += length;
        }
        if (row == 0) throw new ArgumentException("window has no counted prediction");
        CountedRows = row;
        UsedSlots = offset;

        for (var slot = offset; slot < Window; slot++)
        {
            Tokens[slot] = 0;
            Positions[slot] = 0;
            Mask[slot * Window + slot] = 0f;
        }
        for (var repeat = 1; repeat < decisionWeight; repeat++)
            foreach (var (slot, target) in _decisions)
                if (row < RowCount) (Rows[row], Targets[row++]) = (slot, target);
        var fillers = _uncounted.OrderByDescending(u => u.Copy).ThenByDescending(u => u.Slot).ToList();
        for (var i = 0; row < RowCount && i < fillers.Count; i++, row++)
            (Rows[row], Targets[row]) = (fillers[i].Slot, fillers[i].Target);
        for (var i = 0; row < RowCount; i++, row++)
            (Rows[row], Targets[row]) = (Rows[i % CountedRows], Targets[i % CountedRows]);
    }
}
