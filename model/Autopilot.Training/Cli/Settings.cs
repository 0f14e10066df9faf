namespace Autopilot.Training;

/// <summary>Settings of <c>autopilot-trainer train</c>.</summary>
internal sealed record TrainSettings(
    string Model,
    string Out,
    string Train,
    string? Valid,
    int Epochs,
    float LearningRate,
    float MinLearningRateRatio,
    int WarmupSteps,
    int Threads,
    long Seed,
    int Window,
    long MaxSteps,
    LossScope Loss,
    int ExtraRows = 0,
    int DecisionWeight = 1);

/// <summary>Settings of <c>autopilot-trainer loss</c>.</summary>
internal sealed record LossSettings(string Model, string Data, int Window, int Threads, LossScope Loss);
