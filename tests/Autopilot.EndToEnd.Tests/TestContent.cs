using YamlDotNet.RepresentationModel;

namespace Autopilot.EndToEnd.Tests;

/// <summary>Temporary state directories, and the shipped policies with one thing changed for tests.</summary>
internal static class TestContent
{
    public static string NewStateDirectory(string name) => Autopilot.Testing.Scratch.NewDirectory(name, "autopilot-e2e");

    /// <summary>
    /// The shipped policies without their freeze windows: the end-to-end tests must not pass or fail with the wall
    /// clock (a nightly freeze would deny every change). Freeze windows are covered by the policy engine's tests.
    /// </summary>
    public static string PoliciesWithoutFreezeWindows()
    {
        var directory = NewStateDirectory("policies");
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Policies, "*.yaml"))
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file)) yaml.Load(reader);
            var root = (YamlMappingNode)yaml.Documents[0].RootNode;
            foreach (var policy in ((YamlSequenceNode)root.Children[new YamlScalarNode("policies")]).Children.OfType<YamlMappingNode>())
                policy.Children.Remove(new YamlScalarNode("freeze_windows"));
            using var writer = new StreamWriter(Path.Combine(directory, Path.GetFileName(file)));
            yaml.Save(writer, assignAnchors: false);
        }
        return directory;
    }

    public static IReadOnlyDictionary<string, string?> TestConfiguration(string policies) => new Dictionary<string, string?>
    {
        ["Autopilot:Guardrail:PolicyDirectory"] = policies,
    };

    /// <summary>Polls until the condition holds; fails the test with <paramref name="failure"/> after the given seconds.</summary>
    public static async Task Until(Func<Task<bool>> condition, string failure, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{failure} (waited {seconds} s)");
            await Task.Delay(250);
        }
    }
}
