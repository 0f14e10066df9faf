namespace Autopilot.Decisions;

/// <summary>Where the repository keeps the default decision model and its corpus.</summary>
public static class ShippedModel
{
    /// <summary>The default model, trained here by `autopilot train` and committed.</summary>
    public const string ModelPath = "model/autopilot-decider.gguf";

    /// <summary>Cases the model is trained on.</summary>
    public const string TrainCases = "model/cases/train";

    /// <summary>Cases that never reach training: generated held-out cases and the hand-written hard ones.</summary>
    public const string HeldOutCases = "model/cases/heldout";

    public const string Sops = "sops";
    public const string Policies = "policies";
}
