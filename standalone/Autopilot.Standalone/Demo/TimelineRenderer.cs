using Autopilot.Incidents.Ports;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Scenarios;
using Spectre.Console;

namespace Autopilot.Standalone.Demo;

/// <summary>
/// The demo's live timeline: one line per thing that happened (fault, alert, each step of the loop), times relative
/// to the start, a spinner line saying what the run waits for, and the final summary.
/// </summary>
public sealed class TimelineRenderer(IAnsiConsole console) : IScenarioObserver
{
    private readonly object _gate = new();
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private static readonly string[] Spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private int _tick;
    private string? _lastWaiting;

    public void Started(Scenario scenario, ScenarioEndpoints endpoints)
    {
        console.Write(new Rule($"[bold]autopilot demo[/] · scenario [aqua]{Markup.Escape(scenario.Name)}[/]").LeftJustified());
        console.MarkupLine($"[grey]{Markup.Escape(scenario.Description)}[/]");
        console.MarkupLine($"[grey]webhook {endpoints.Webhook} · metrics {endpoints.Metrics} · kube-api {endpoints.KubernetesApi}[/]");
        if (endpoints.Prometheus is { } prometheus)
            console.MarkupLine($"[grey]prometheus {prometheus} · alertmanager {endpoints.Alertmanager}[/]");
        console.MarkupLine($"[grey]state {Markup.Escape(endpoints.StateDirectory)} · expected: {Markup.Escape(Expectation(scenario.Expect))}[/]");
        if (endpoints.Console is { } page)
            console.MarkupLine($"[bold]console[/] {page} (sign in with the operator token{(endpoints.OperatorTokenFile is { } file ? $" in {Markup.Escape(file)}" : "")})");
        if (endpoints.OperatorTokenFile is { } token)
            console.MarkupLine($"[grey]approvals: POST {endpoints.Webhook.GetLeftPart(UriPartial.Authority)}/guardrail/<ns>/<route>/approvals/<changeId> with Authorization: Bearer $(cat {Markup.Escape(token)})[/]");
        console.WriteLine();
    }

    public void Fault(FaultEvent change) =>
        Line(change.Injected ? "red" : "green", change.Injected ? "fault" : "fixed",
            $"{change.Fault.Id} ({Describe(change.Fault)}){(change.Injected ? "" : " — " + change.Why)}");

    public void Alert(AlertTransition transition) =>
        Line(transition.Firing ? "red" : "green", transition.Firing ? "alert" : "resolved",
            $"{transition.Name} {transition.Workload}{(transition.Labels.TryGetValue("version", out var v) ? " " + v : "")}");

    public void Step(IncidentRecord record, StepRecord step)
    {
        var (color, label) = step.Step switch
        {
            "perceive" => ("blue", "fact sheet"),
            "compact" => ("blue", "compacted"),
            "retrieve" => ("blue", "SOP chosen"),
            "plan" => ("yellow", "proposal"),
            "guardrail" => (step.Summary.StartsWith("Applied", StringComparison.Ordinal) ? "green" : "yellow", "verdict"),
            "verify" => ("blue", "verify"),
            "undo" => ("yellow", "undo"),
            "restore" => ("green", "restore"),
            "escalate" => ("magenta", "escalated"),
            "error" => ("red", "error"),
            _ => ("grey", step.Step),
        };
        var detail = step.Summary;
        if (step.Step == "plan" && record.Proposal is { } proposal)
            detail += " → " + Truncate(System.Text.Json.JsonSerializer.Serialize<Remediation.Proposals.Proposal>(proposal, InProcessRuntime.StateDirectory.Json), 160);
        if (step.Step == "guardrail" && record.Decision?.Result is { } result)
            detail += $" · route {string.Join(" ", result.Before.Select(w => $"{w.Name}={w.Weight}"))} → {string.Join(" ", result.After.Select(w => $"{w.Name}={w.Weight}"))}";
        Line(color, label, detail);
    }

    public void Waiting(string what)
    {
        lock (_gate)
        {
            if (console.Profile.Capabilities.Interactive)
            {
                var frame = Spinner[_tick++ % Spinner.Length];
                console.Markup($"\r[grey]{frame} {Elapsed()} waiting: {Markup.Escape(Truncate(what, 90))}[/]\u001b[K");
            }
            else if (what != _lastWaiting)
            {
                console.MarkupLine($"[grey]   {Elapsed()} waiting: {Markup.Escape(what)}[/]");
            }
            _lastWaiting = what;
        }
    }

    public void Summary(ScenarioReport report)
    {
        ClearSpinner();
        console.WriteLine();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("summary").AddColumn("");
        table.AddRow("scenario", Markup.Escape(report.Scenario.Name));
        table.AddRow("detection → mitigation", report.DetectionToMitigation is { } d ? $"{d.TotalSeconds:F1} s" : "no change applied");
        table.AddRow("errors served before mitigation", $"{report.ErrorsBeforeMitigation} of {report.RequestsBeforeMitigation} requests ({Ratio(report.ErrorsBeforeMitigation, report.RequestsBeforeMitigation)})");
        table.AddRow("errors served after mitigation", report.Mitigated
            ? $"{report.ErrorsAfterMitigation} of {report.RequestsAfterMitigation} requests ({Ratio(report.ErrorsAfterMitigation, report.RequestsAfterMitigation)})"
            : "not mitigated by a route change");
        table.AddRow("actions applied", Markup.Escape(report.Outcome.AppliedActions.Count == 0 ? "none" : string.Join(", ", report.Outcome.AppliedActions)));
        table.AddRow("policy verdicts", Markup.Escape(report.Verdicts.Count == 0 ? "none asked" : string.Join("\n", report.Verdicts.Select(v => Truncate(v, 110)))));
        table.AddRow("escalated", report.Outcome.Escalated ? "yes" : "no");
        table.AddRow("restored", report.Outcome.RestoreCompleted ? "yes" : "no");
        table.AddRow("final weights", Markup.Escape(ScenarioOutcome.Weights(report.Outcome.FinalWeights)));
        table.AddRow("run time", $"{report.Duration.TotalSeconds:F0} s");
        console.Write(table);
        if (report.UnnamedInReason is { Count: > 0 } unnamed)
            console.MarkupLine($"[yellow]reason[/] \"{Markup.Escape(report.Outcome.FirstProposal?.Reason ?? "")}\" does not name {Markup.Escape(string.Join(", ", unnamed))}");
        if (report.Passed)
            console.MarkupLine($"[bold green]PASS[/] the expected outcome happened: {Markup.Escape(Expectation(report.Scenario.Expect))}");
        else
        {
            console.MarkupLine("[bold red]FAIL[/] the expected outcome did not happen:");
            foreach (var miss in report.Misses) console.MarkupLine($"  [red]-[/] {Markup.Escape(miss)}");
        }
    }

    private void Line(string color, string label, string detail)
    {
        lock (_gate)
        {
            ClearSpinner();
            console.MarkupLine($"[grey]{Elapsed()}[/] [{color}]{Markup.Escape(label),-11}[/] {Markup.Escape(detail)}");
        }
    }

    private void ClearSpinner()
    {
        if (console.Profile.Capabilities.Interactive) console.Markup("\r\u001b[K");
    }

    private string Elapsed() => $"+{(DateTimeOffset.UtcNow - _start).TotalSeconds,5:F1}s";

    private static string Ratio(long part, long whole) => whole == 0 ? "n/a" : $"{(double)part / whole:P2}";

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    public static string Expectation(ScenarioExpectation expect) =>
        $"{expect.Alert} → " + (expect.ForbidsChanges ? "no route change" : $"one of {string.Join("/", expect.AppliedActions)}")
        + (expect.Escalated ? ", escalated" : "") + (expect.Restored ? ", restored" : "")
        + (expect.FinalWeights is { } w ? $", ends at {string.Join(" ", w.Select(p => $"{p.Key}={p.Value}"))}" : "");

    private static string Describe(Autopilot.Simulator.Faults.Fault fault) => fault switch
    {
        Autopilot.Simulator.Faults.ErrorRateFault f => $"{f.Version} answers {f.Ratio:P0} 5xx",
        Autopilot.Simulator.Faults.LatencyFault f => $"{f.Version} +{f.AddedMs:F0} ms",
        Autopilot.Simulator.Faults.DependencyOutageFault f => $"{f.Dependency} down, {f.Ratio:P0} 503 on every version",
        Autopilot.Simulator.Faults.SurgeFault f => $"{f.Multiplier}× traffic",
        Autopilot.Simulator.Faults.CrashLoopFault f => $"{f.Version} restarts {f.RestartsEveryMinute}/min",
        Autopilot.Simulator.Faults.CertificateExpiryFault f => $"certificate expires in {f.ExpiresIn.TotalDays:F0} days",
        Autopilot.Simulator.Faults.FlappingFault f => $"{f.Version} fails {f.Ratio:P0} in {f.Period.TotalSeconds:F0} s bursts",
        _ => fault.GetType().Name,
    };
}
