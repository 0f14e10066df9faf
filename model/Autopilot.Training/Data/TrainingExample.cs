namespace Autopilot.Training;

/// <summary>Which next-token predictions count towards the loss.</summary>
internal enum LossScope
{
    /// <summary>Only predictions of completion tokens (positions at or after the prompt).</summary>
    Completion,
    /// <summary>Every next-token prediction of the example.</summary>
    All,
}

/// <summary>
/// One example: token ids (BOS first, the completion and its end token last) of which the first
/// <see cref="PromptLength"/> are prompt.
/// </summary>
internal sealed record TrainingExample(int[] Tokens, int PromptLength)
{
    /// <summary>Index of the token that carries the decision, when the data names one.</summary>
    public int? DecisionToken { get; init; }

    /// <summary>
    /// Positions the model processes: every token but the last, whose prediction nothing would check. Input slot i
    /// predicts token i + 1.
    /// </summary>
    public int InputLength => Tokens.Length - 1;

    /// <summary>The first input slot whose prediction counts: slot prompt-1 predicts the first completion token.</summary>
    public int FirstCountedSlot(LossScope scope) => scope == LossScope.All ? 0 : Math.Max(PromptLength - 1, 0);

    public int CountedRows(LossScope scope) => Math.Max(InputLength - FirstCountedSlot(scope), 0);
}
