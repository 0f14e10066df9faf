using Autopilot.Standalone.Actors;
using Autopilot.Standalone.Hosting;

namespace Autopilot.EndToEnd.Tests.Standalone;

public sealed class StandaloneDefaultsTests
{
    private static Dictionary<string, string?> Defaults(string modelPath)
    {
        var state = new StateDirectory(TestContent.NewStateDirectory("defaults"));
        return AutopilotHost.Defaults(new StandaloneSettings
        {
            StateDirectory = state.Root,
            ContentRoot = RepoPaths.Root,
            KubernetesUrl = new Uri("http://127.0.0.1:9/"),
            KubernetesToken = "token",
            ModelPath = modelPath,
        }, state);
    }

    [Fact]
    public void A_generated_model_gets_a_short_planning_deadline()
    {
        Assert.Equal("3000", Defaults("builtin:tiny")["Autopilot:Planning:DeadlineMs"]);
    }

    [Fact]
    public void A_model_file_keeps_the_planning_deadline_of_the_incident_options()
    {
        Assert.False(Defaults("/models/qwen2.5-7b-instruct-q4_k_m.gguf").ContainsKey("Autopilot:Planning:DeadlineMs"));
    }
}
