using Autopilot.Incidents.Health;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Knowledge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.Incidents.Loop;

/// <summary>What every workload's incident process shares (singletons): the ports that are not per key, the
/// domain services, options, clock and telemetry. Per key are only the state and the reminders.</summary>
public sealed class IncidentServices(
    IGuardrailGateway guardrail,
    IRestoreOrchestrator restore,
    IWorkloadHealthSource health,
    IIncidentJournal journal,
    FactSheetBuilder factSheets,
    ISopRetriever sops,
    ProposalPlanner planner,
    HealthJudge judge,
    IOptions<IncidentOptions> options,
    IOptions<RestoreOptions> restoreOptions,
    TimeProvider time,
    LoopTelemetry telemetry,
    IncidentNotifier notifier,
    ILoggerFactory loggerFactory)
{
    public IGuardrailGateway Guardrail { get; } = guardrail;
    public IRestoreOrchestrator Restore { get; } = restore;
    public IWorkloadHealthSource Health { get; } = health;
    public IIncidentJournal Journal { get; } = journal;
    public ProposalPlanner Planner { get; } = planner;
    public HealthJudge Judge { get; } = judge;
    public Triage Triage { get; } = new(factSheets, sops, judge.Bounds, options.Value.SopTop);
    public IncidentOptions Options { get; } = options.Value;
    public RestoreOptions RestoreOptions { get; } = restoreOptions.Value;
    public IncidentMachine Machine { get; } = new(options.Value.ToMachineOptions());
    public TimeProvider Time { get; } = time;
    public LoopTelemetry Telemetry { get; } = telemetry;
    public IncidentNotifier Notifier { get; } = notifier;
    public ILogger Logger { get; } = loggerFactory.CreateLogger("Autopilot.Incidents");
}
