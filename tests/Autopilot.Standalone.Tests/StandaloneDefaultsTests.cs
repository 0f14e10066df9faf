using Autopilot.Testing;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Standalone.Hosting;

namespace Autopilot.Standalone.Tests;

public sealed class StandaloneDefaultsTests
{
    private static Dictionary<string, string?> Defaults(string modelPath)
    {
        var state = new StateDirectory(Scratch.NewDirectory("defaults"));
        return AutopilotHost.Defaults(new StandaloneSettings
        {
            StateDirectory = state.Root,
            ContentRoot = Repo.Root,
            KubernetesUrl = new Uri("http://127.0.0.1:9/"),
            KubernetesToken = "token",
            ModelPath = modelPath,
        }, state);
    }

    [Theory]
    [InlineData("builtin:tiny")]
    [InlineData("/models/qwen2.5-7b-instruct-q4_k_m.gguf")]
    public void The_planning_deadline_is_left_to_the_pool_to_derive_from_the_model_speed(string model)
    {
        Assert.False(Defaults(model).ContainsKey("Autopilot:Planning:DeadlineMs"));
    }
}
