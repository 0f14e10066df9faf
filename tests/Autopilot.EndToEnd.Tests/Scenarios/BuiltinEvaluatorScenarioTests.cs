using Autopilot.Simulator.Scenarios;
using Autopilot.Standalone.Demo;
using Xunit.Abstractions;

namespace Autopilot.EndToEnd.Tests.Scenarios;

/// <summary>
/// Every shipped scenario through the whole stand-alone loop with the built-in alert evaluator: simulator →
/// webhook → topic → incident → SOP → model proposal → guardrail → bridge → fake Kubernetes API → traffic.
/// Each must reach its scenario file's expected outcome (escalate-only ones: no route change at all).
/// </summary>
public sealed class BuiltinEvaluatorScenarioTests(ITestOutputHelper output)
{
    public static TheoryData<string> ScenarioNames() =>
        [.. ScenarioLoader.LoadDirectory(RepoPaths.Scenarios).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Scenario_reaches_its_expected_outcome(string name)
    {
        var scenario = ScenarioLoader.Find(RepoPaths.Scenarios, name);
        var report = await ScenarioRunner.RunAsync(scenario, new ScenarioRunOptions
        {
            ContentRoot = RepoPaths.Root,
            StateDirectory = TestContent.NewStateDirectory(name),
            Configuration = TestContent.TestConfiguration(TestContent.PoliciesWithoutFreezeWindows()),
        }, new TestObserver(output), CancellationToken.None);

        Assert.True(report.Passed, $"Scenario {name} missed its expected outcome:\n  {string.Join("\n  ", report.Misses)}");
    }
}

/// <summary>Writes the timeline into the test output, so a failure shows what happened.</summary>
internal sealed class TestObserver(ITestOutputHelper output) : IScenarioObserver
{
    public void Fault(FaultEvent change) => Write($"fault {change.Fault.Id} {(change.Injected ? "injected" : "cleared")} ({change.Why})");

    public void Alert(Autopilot.Simulator.Alerting.AlertTransition transition) =>
        Write($"alert {transition.Name} {(transition.Firing ? "firing" : "resolved")}");

    public void Step(Autopilot.Incidents.Ports.IncidentRecord record, Autopilot.Incidents.Ports.StepRecord step) =>
        Write($"{record.IncidentId} {step.Step}: {step.Summary}");

    private void Write(string line)
    {
        try
        {
            output.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished.
        }
    }
}
