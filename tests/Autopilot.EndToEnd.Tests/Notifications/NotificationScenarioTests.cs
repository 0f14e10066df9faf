using Autopilot.EndToEnd.Tests.Scenarios;
using Autopilot.Simulator.Scenarios;
using Autopilot.Standalone.Demo;
using Autopilot.Testing;
using Xunit.Abstractions;

namespace Autopilot.EndToEnd.Tests.Notifications;

/// <summary>The stand-alone host tells a Slack webhook (Kestrel on 127.0.0.1) about an escalation, once.</summary>
public sealed class NotificationScenarioTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_scenario_that_escalates_sends_one_slack_message_with_a_console_link()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var configuration = new Dictionary<string, string?>(TestContent.TestConfiguration(TestContent.PoliciesWithoutFreezeWindows()))
        {
            ["Autopilot:Notifications:PublicUrl"] = "http://127.0.0.1:8080",
            ["Autopilot:Notifications:Receivers:0:Name"] = "slack",
            ["Autopilot:Notifications:Receivers:0:Format"] = "slack",
            ["Autopilot:Notifications:Receivers:0:Url"] = receiver.Url,
        };

        var report = await ScenarioRunner.RunAsync(ScenarioLoader.Find(RepoPaths.Scenarios, "all-versions-failing"), new ScenarioRunOptions
        {
            ContentRoot = RepoPaths.Root,
            StateDirectory = TestContent.NewStateDirectory("notify-escalation"),
            Configuration = configuration,
        }, new TestObserver(output), CancellationToken.None);
        await WebhookReceiver.WaitUntilAsync(() => Task.FromResult(!receiver.Received.IsEmpty), "a message arrives");

        Assert.True(report.Passed, $"the scenario missed its expected outcome:\n  {string.Join("\n  ", report.Misses)}");
        var (key, slack) = Assert.Single(receiver.Received);
        Assert.Contains("/escalated/", key);
        Assert.Equal("Escalated: shop/checkout", (string?)slack["blocks"]![0]!["text"]!["text"]);
        Assert.StartsWith("http://127.0.0.1:8080/console/incidents/shop.checkout.", (string?)slack["blocks"]!.AsArray()[^1]!["elements"]![0]!["url"]);
    }
}
