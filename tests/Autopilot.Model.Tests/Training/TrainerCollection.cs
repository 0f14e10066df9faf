namespace Autopilot.Model.Tests.Training;

/// <summary>
/// Tests that start trainer child processes run one at a time and not beside other tests: each child uses two
/// threads, and oversubscribed cores make ggml's thread barriers crawl.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainerCollection
{
    public const string Name = "autopilot-trainer child processes";
}
