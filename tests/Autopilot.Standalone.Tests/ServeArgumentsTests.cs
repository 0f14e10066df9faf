using Autopilot.Standalone.Hosting;

namespace Autopilot.Standalone.Tests;

public sealed class ServeArgumentsTests
{
    [Fact]
    public void Serve_gives_a_person_the_production_approval_timeout_and_keeps_the_default_policies()
    {
        var values = ServeArguments.Configuration(policies: null);

        Assert.Equal("00:15:00", values["Autopilot:Guardrail:ApprovalTimeout"]);
        // No entry at all: a null one would hide the host's own default folder.
        Assert.False(values.ContainsKey("Autopilot:Guardrail:PolicyDirectory"));
    }

    [Fact]
    public void Serve_uses_the_policy_folder_given_as_a_full_path()
    {
        var values = ServeArguments.Configuration(policies: "policies");

        Assert.Equal(Path.GetFullPath("policies"), values["Autopilot:Guardrail:PolicyDirectory"]);
    }

    [Theory]
    [InlineData("ftp://cluster", null, 0, "--cluster-url")]
    [InlineData("http://127.0.0.1:6443", null, 0, "--cluster-url needs --prometheus-url")]
    [InlineData(null, null, 70000, "--port: 70000")]
    public void Bad_serve_options_are_named(string? clusterUrl, string? prometheusUrl, int port, string message) =>
        Assert.StartsWith(message, ServeArguments.Problem(clusterUrl, prometheusUrl, port, policies: null));
}
