using Autopilot.Incidents.Ports;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Scenarios;

namespace Autopilot.Standalone.Demo;

/// <summary>What a scenario run reports while it happens (the demo's timeline; tests ignore it).</summary>
public interface IScenarioObserver
{
    void Started(Scenario scenario, ScenarioEndpoints endpoints) { }

    void Fault(FaultEvent change) { }

    void Alert(AlertTransition transition) { }

    /// <summary>A step the incident recorded in its audit trail (perceive, compact, retrieve, plan, guardrail, ...).</summary>
    void Step(IncidentRecord record, StepRecord step) { }

    /// <summary>Called about every 250 ms while waiting, with a line saying what the run waits for.</summary>
    void Waiting(string what) { }
}

/// <summary>Where the pieces of a run listen, for the timeline's header.</summary>
public sealed record ScenarioEndpoints(Uri Webhook, Uri Metrics, Uri KubernetesApi, Uri? Prometheus, Uri? Alertmanager, string StateDirectory)
{
    /// <summary>Where the operator's bearer token for approvals is written (see AutopilotHost.OperatorToken).</summary>
    public string? OperatorTokenFile { get; init; }

    /// <summary>The operator console (incidents, approvals, routes) in a browser.</summary>
    public Uri? Console { get; init; }
}
