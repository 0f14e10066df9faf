using Autopilot.Decisions;
using System.Collections.Concurrent;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Scenarios;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Standalone.Demo;

/// <summary>How to run a scenario: real Prometheus/Alertmanager or the built-in evaluator, model, state, content.</summary>
public sealed record ScenarioRunOptions
{
    public required string ContentRoot { get; init; }

    public required string StateDirectory { get; init; }

    /// <summary>A GGUF file or "builtin:tiny"; null = the shipped decision model under <see cref="ContentRoot"/>.</summary>
    public string? ModelPath { get; init; }

    public bool WithPrometheus { get; init; }

    /// <summary>Configuration overrides for the autopilot host (e.g. a policy directory for tests).</summary>
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>How long the outcome must hold (no further change) before a run that met it ends.</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(5);

    public ILoggerProvider? Logs { get; init; }

    /// <summary>Called with the report while everything still runs (the host, its console, the simulated cluster):
    /// the demo prints its summary here and, with --stay, keeps it all up until Ctrl+C.</summary>
    public Func<ScenarioReport, CancellationToken, Task>? Finished { get; init; }
}

/// <summary>
/// Runs one scenario end to end: the simulated cluster, the stand-alone autopilot (the same incident and guardrail
/// logic as the Dapr host) and an alert source (the built-in evaluator or real Prometheus + Alertmanager), then
/// plays the scenario's faults and watches the audit trail until the expected outcome held for a settle time,
/// the incident closed, or the scenario's timeout passed.
/// </summary>
public static class ScenarioRunner
{
    public static async Task<ScenarioReport> RunAsync(Scenario scenario, ScenarioRunOptions options, IScenarioObserver observer, CancellationToken ct)
    {
        using var loggers = LoggerFactory.Create(b => { if (options.Logs is not null) b.AddProvider(new NonOwningLoggerProvider(options.Logs)); });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var environment = await SimulatedEnvironment.StartAsync([scenario.Workload], loggers, ct);
        await using var stack = options.WithPrometheus
            ? await PrometheusStack.StartAsync(options.StateDirectory, environment.MetricsUrl, Path.Combine(options.ContentRoot, "deploy", "prometheus", "rules-fast.yaml"), ct)
            : null;
        var evaluator = stack is null ? environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http) : null;

        var settings = StandaloneSettings.ForSimulator(environment, evaluator?.History, options.StateDirectory, options.ContentRoot) with
        {
            ModelPath = options.ModelPath ?? Path.Combine(options.ContentRoot, ShippedModel.ModelPath),
            PrometheusUrl = stack?.PrometheusUrl,
            Configuration = options.Configuration,
            ScriptedProposal = scenario.Proposal,
        };
        await using var host = await AutopilotHost.StartAsync(settings, options.Logs, ct);
        if (environment.Notifier is { } notifier) notifier.Target(host.WebhookUrl, host.WebhookToken);
        if (stack is not null) await stack.StartAlertmanagerAsync(host.WebhookUrl, host.WebhookToken, ct);

        var watch = new RunWatch(scenario, environment, host, observer);
        if (evaluator is not null) evaluator.Transition += watch.OnAlert;
        stack?.OnAlert(watch.OnAlert);
        host.Journal.Recorded += watch.OnRecorded;
        var tokenFile = Path.Combine(options.StateDirectory, "operator-token");
        await File.WriteAllTextAsync(tokenFile, host.OperatorToken(), ct);
        observer.Started(scenario, new ScenarioEndpoints(host.WebhookUrl, new Uri(environment.MetricsUrl, "/metrics"), environment.Kube.Url,
            stack?.PrometheusUrl, stack?.AlertmanagerUrl, options.StateDirectory) { OperatorTokenFile = tokenFile, Console = host.ConsoleUrl });

        var director = new ScenarioDirector(environment.Cluster, scenario);
        director.FaultChanged += observer.Fault;
        var started = DateTimeOffset.UtcNow;
        DateTimeOffset? metSince = null;
        while (!ct.IsCancellationRequested)
        {
            director.Tick();
            watch.Sample(director);
            if (stack is not null) await stack.PollAlertsAsync(ct);
            var outcome = await watch.OutcomeAsync(ct);
            var misses = outcome.Check(scenario.Expect, scripted: scenario.Proposal is not null);
            var closed = watch.IncidentClosed;
            if (misses.Count == 0) metSince ??= DateTimeOffset.UtcNow;
            else metSince = null;
            if (metSince is { } since && DateTimeOffset.UtcNow - since >= options.SettleTime)
                return await FinishAsync(watch.Report(outcome, misses, started, timedOut: false));
            if (closed && misses.Count > 0 && DateTimeOffset.UtcNow - watch.ClosedAt >= options.SettleTime)
                return await FinishAsync(watch.Report(outcome, misses, started, timedOut: false));
            if (DateTimeOffset.UtcNow - started > scenario.Timeout)
                return await FinishAsync(watch.Report(outcome, misses, started, timedOut: true));
            observer.Waiting(watch.Waiting(misses));
            await Task.Delay(250, ct);
        }
        ct.ThrowIfCancellationRequested();
        throw new OperationCanceledException();

        async Task<ScenarioReport> FinishAsync(ScenarioReport report)
        {
            if (options.Finished is { } finished) await finished(report, ct);
            return report;
        }
    }

    /// <summary>Watches one run: alerts, audit-trail steps, errors served before and after mitigation.</summary>
    private sealed class RunWatch(Scenario scenario, SimulatedEnvironment environment, AutopilotHost host, IScenarioObserver observer)
    {
        private readonly ConcurrentDictionary<string, int> _stepsSeen = new(StringComparer.Ordinal);
        private readonly object _gate = new();
        private DateTimeOffset? _firstFiring;
        private (long Requests, long Errors)? _atMitigation;
        private DateTimeOffset? _mitigatedAt;

        public bool IncidentClosed { get; private set; }

        public DateTimeOffset ClosedAt { get; private set; } = DateTimeOffset.MaxValue;

        public void OnAlert(AlertTransition transition)
        {
            if (transition.Firing) lock (_gate) _firstFiring ??= transition.At;
            observer.Alert(transition);
        }

        public void OnRecorded(IncidentRecord record)
        {
            if (record.Workload != scenario.Workload.Key.ToString()) return;
            lock (_gate)
            {
                var seen = _stepsSeen.GetValueOrDefault(record.IncidentId);
                foreach (var step in record.Steps.Skip(seen)) observer.Step(record, step);
                _stepsSeen[record.IncidentId] = Math.Max(seen, record.Steps.Count);
                if (!record.IsOpen && !IncidentClosed)
                {
                    IncidentClosed = true;
                    ClosedAt = DateTimeOffset.UtcNow;
                }
                else if (record.IsOpen)
                {
                    IncidentClosed = false;
                    ClosedAt = DateTimeOffset.MaxValue;
                }
            }
        }

        public void Sample(ScenarioDirector director)
        {
            if (director.MitigatedAt is { } at && _atMitigation is null)
            {
                _mitigatedAt = at;
                _atMitigation = environment.Cluster.Get(scenario.Workload.Key).Totals;
            }
        }

        public async Task<ScenarioOutcome> OutcomeAsync(CancellationToken ct)
        {
            var route = scenario.Workload.Route;
            var records = host.Journal.All.Where(r => r.Workload == scenario.Workload.Key.ToString()).ToList();
            var guardrail = await host.Guardrails.ReadStateAsync(route, ct);
            var state = await host.Guardrails.ReadRouteAsync(route, ct);
            var weights = state.Weights();
            return new ScenarioOutcome(
                [.. records.SelectMany(r => r.Alerts.Names).Distinct()],
                [.. guardrail.Ledger.Where(e => e.Action != "undo").Select(e => e.Action)],
                records.Any(r => r.Escalations.Count > 0),
                records.Any(r => r.Restore is { Completed: true }),
                weights,
                [.. Breaches(guardrail, weights), .. OtherRulesMoved(state)],
                records.OrderBy(r => r.OpenedAt).Where(r => r is { Plan: not null, Proposal: not null })
                    .Select(r => new PlannedProposal(r.Proposal!.Action, r.Plan!.Source.ToString(), r.Proposal.Reason)).FirstOrDefault());
        }

        /// <summary>A change applied without an allowing verdict, or weights that are not percentages summing to 100.</summary>
        private static IReadOnlyList<string> Breaches(GuardrailState guardrail, IReadOnlyList<BackendWeight> weights)
        {
            var breaches = guardrail.Decisions.Values
                .Where(d => d.Status == DecisionStatus.Applied && d.Verdict is not { Allowed: true })
                .Select(d => $"change {d.ChangeId} was applied without an allowing verdict")
                .ToList();
            if (weights.Sum(w => w.Weight) != 100 || weights.Any(w => w.Weight is < 0 or > 100))
                breaches.Add($"route weights {ScenarioOutcome.Weights(weights)} are not percentages summing to 100");
            return breaches;
        }

        /// <summary>The route's other rules (not the versions' split) must end as they started: a mitigation has no
        /// business with /static.</summary>
        private IEnumerable<string> OtherRulesMoved(RouteState state)
        {
            for (var i = 0; i < scenario.Workload.OtherRules.Count; i++)
            {
                var expected = scenario.Workload.OtherRules[i];
                var actual = state.Rules.FirstOrDefault(r => r.Index == i)?.Backends ?? [];
                if (ScenarioOutcome.Weights(actual) != ScenarioOutcome.Weights(expected.Backends))
                    yield return $"rule {i} ({expected.PathPrefix}) is {ScenarioOutcome.Weights(actual)}, but it started as {ScenarioOutcome.Weights(expected.Backends)}";
            }
        }

        public string Waiting(IReadOnlyList<string> misses) => misses.Count == 0 ? "outcome reached; checking it holds" : misses[0];

        public ScenarioReport Report(ScenarioOutcome outcome, IReadOnlyList<string> misses, DateTimeOffset started, bool timedOut)
        {
            var records = host.Journal.All.Where(r => r.Workload == scenario.Workload.Key.ToString()).ToList();
            var totals = environment.Cluster.Get(scenario.Workload.Key).Totals;
            var firstChange = records.SelectMany(r => r.Steps).Where(s => s.Step == "guardrail" && s.Summary.StartsWith("Applied", StringComparison.Ordinal))
                .Select(s => (DateTimeOffset?)s.At).Min();
            var detected = _firstFiring ?? records.Select(r => (DateTimeOffset?)r.OpenedAt).Min();
            var before = _atMitigation ?? totals;
            var (errorsAfter, requestsAfter) = (totals.Errors - before.Errors, totals.Requests - before.Requests);
            var allMisses = misses.ToList();
            if (scenario.Expect.MaxErrorRatioAfterMitigation is { } bound && _mitigatedAt is not null && requestsAfter > 0
                && (double)errorsAfter / requestsAfter > bound)
                allMisses.Add($"served {errorsAfter} errors in {requestsAfter} requests after mitigation ({(double)errorsAfter / requestsAfter:P2}), above the bound of {bound:P2}");
            if (timedOut) allMisses.Add($"timed out after {scenario.Timeout.TotalSeconds:F0} s");
            return new ScenarioReport(
                scenario,
                outcome,
                allMisses,
                detected is { } d && firstChange is { } c ? c - d : null,
                before.Errors,
                before.Requests,
                errorsAfter,
                requestsAfter,
                _mitigatedAt is not null,
                [.. records.SelectMany(r => r.Steps.Where(s => s.Step == "guardrail").Select(s => s.Summary))],
                records,
                DateTimeOffset.UtcNow - started);
        }
    }
}

/// <summary>The result of a scenario run: passed when nothing missed; numbers for the demo's summary.</summary>
public sealed record ScenarioReport(
    Scenario Scenario,
    ScenarioOutcome Outcome,
    IReadOnlyList<string> Misses,
    TimeSpan? DetectionToMitigation,
    long ErrorsBeforeMitigation,
    long RequestsBeforeMitigation,
    long ErrorsAfterMitigation,
    long RequestsAfterMitigation,
    bool Mitigated,
    IReadOnlyList<string> Verdicts,
    IReadOnlyList<IncidentRecord> Incidents,
    TimeSpan Duration)
{
    public bool Passed => Misses.Count == 0;

    /// <summary>Reason names the model's first proposal left out (reported, not a miss: see ScenarioOutcome).</summary>
    public IReadOnlyList<string> UnnamedInReason => Outcome.UnnamedInReason(Scenario.Expect);
}
