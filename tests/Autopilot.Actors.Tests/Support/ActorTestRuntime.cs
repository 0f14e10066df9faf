using System.Collections.Concurrent;
using System.Text.Json;
using Autopilot.Actors.DaprAdapters;
using Autopilot.Actors.Guardrail;
using Autopilot.Actors.Incidents;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.Tests.Support;

/// <summary>
/// A small stand-in for the Dapr actor runtime, built on the SDK's test seams: every call activates a FRESH actor
/// instance (ActorHost.CreateForTest) over the persisted state store — as if the actor had been deactivated
/// between any two calls — runs one call per actor id at a time (turn-based), and passes arguments and results
/// through JSON as the sidecar does. Reminders are recorded and fired by the test.
/// </summary>
public sealed class ActorTestRuntime : IIncidentDispatcher, IGuardrailGateway
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);
    private IncidentServices? _incidentServices;
    private GuardrailServices? _guardrailServices;
    private IGatewayBridgeClient? _bridge;

    public ActorStateStore Store { get; } = new();

    public RecordingTimerManager Reminders { get; } = new();

    public int Activations => _activations;

    private int _activations;

    /// <summary>When set, a guardrail submit is applied but its answer is lost on the way back (a crash of the
    /// caller), once.</summary>
    public bool LoseNextSubmitAnswer { get; set; }

    public void Attach(IncidentServices incidents, GuardrailServices guardrail, IGatewayBridgeClient bridge)
    {
        _incidentServices = incidents;
        _guardrailServices = guardrail;
        _bridge = bridge;
    }

    public IncidentActor IncidentActor(WorkloadKey workload)
    {
        var id = ActorIds.Incident(workload);
        Interlocked.Increment(ref _activations);
        var host = ActorHost.CreateForTest<IncidentActor>(new ActorTestOptions { ActorId = id, TimerManager = Reminders, JsonSerializerOptions = IncidentStateJson.Options });
        return new IncidentActor(host, _incidentServices!, Store.ManagerFor(nameof(Actors.Incidents.IncidentActor), id.GetId()));
    }

    public GuardrailActor GuardrailActor(RouteRef route)
    {
        var id = ActorIds.Guardrail(route);
        Interlocked.Increment(ref _activations);
        var host = ActorHost.CreateForTest<GuardrailActor>(new ActorTestOptions { ActorId = id, TimerManager = Reminders, JsonSerializerOptions = IncidentStateJson.Options });
        return new GuardrailActor(host, _bridge!, _guardrailServices!, Store.ManagerFor(nameof(Actors.Guardrail.GuardrailActor), id.GetId()));
    }

    public Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct) =>
        Turn(IncidentKey(workload), () => IncidentActor(workload).HandleAlertsAsync(Wire(new AlertDelivery(alerts))));

    public Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct) =>
        Turn(IncidentKey(workload), () => IncidentActor(workload).CompleteRestoreAsync(Wire(outcome)));

    public async Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct) =>
        (await Turn(IncidentKey(workload), () => IncidentActor(workload).AnswerAsync(Wire(answer)))).Refused;

    public Task RecordNotificationAsync(WorkloadKey workload, NotificationDelivery delivery, CancellationToken ct) =>
        Turn(IncidentKey(workload), () => IncidentActor(workload).RecordNotificationAsync(Wire(delivery)));

    public Task<IncidentProcessState> IncidentStateAsync(WorkloadKey workload) =>
        Turn(IncidentKey(workload), () => IncidentActor(workload).GetStateAsync());

    public async Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct)
    {
        var decision = await Turn(GuardrailKey(submission.Route), () => GuardrailActor(submission.Route).SubmitAsync(Wire(submission)));
        if (LoseNextSubmitAnswer)
        {
            LoseNextSubmitAnswer = false;
            throw new HttpRequestException("connection reset while reading the guardrail's answer");
        }
        return Wire(decision);
    }

    public async Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) =>
        Wire(await Turn(GuardrailKey(submission.Route), () => GuardrailActor(submission.Route).UndoAsync(Wire(submission))));

    public async Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct) =>
        Wire(await Turn(GuardrailKey(route), () => GuardrailActor(route).ReadRouteAsync()));

    public async Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) =>
        Wire(await Turn(GuardrailKey(route), () => GuardrailActor(route).GetDecisionAsync(changeId)));

    public Task<GuardrailDecision?> AnswerApprovalAsync(RouteRef route, ApprovalAnswer answer, CancellationToken ct = default) =>
        Turn(GuardrailKey(route), () => GuardrailActor(route).AnswerApprovalAsync(Wire(answer)));

    public Task<GuardrailState> GuardrailStateAsync(RouteRef route) => Turn(GuardrailKey(route), () => GuardrailActor(route).GetStateAsync());

    public IReadOnlyList<string> IncidentReminders(WorkloadKey workload) => Reminders.Names(nameof(Actors.Incidents.IncidentActor), ActorIds.Incident(workload).GetId());

    public IReadOnlyList<string> GuardrailReminders(RouteRef route) => Reminders.Names(nameof(Actors.Guardrail.GuardrailActor), ActorIds.Guardrail(route).GetId());

    /// <summary>Delivers a due reminder the way the sidecar does: a one-shot reminder is gone once it fired.</summary>
    public Task FireIncidentReminderAsync(WorkloadKey workload, string name)
    {
        Assert.True(Reminders.Take(nameof(Actors.Incidents.IncidentActor), ActorIds.Incident(workload).GetId(), name),
            $"no reminder '{name}' registered for {workload}; registered: {string.Join(", ", IncidentReminders(workload))}");
        return Turn(IncidentKey(workload), () => IncidentActor(workload).ReceiveReminderAsync(name, [], TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    public Task FireGuardrailReminderAsync(RouteRef route, string name)
    {
        Assert.True(Reminders.Take(nameof(Actors.Guardrail.GuardrailActor), ActorIds.Guardrail(route).GetId(), name), $"no reminder '{name}' for {route}");
        return Turn(GuardrailKey(route), () => GuardrailActor(route).ReceiveReminderAsync(name, [], TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    private static string IncidentKey(WorkloadKey workload) => "incident|" + workload;

    private static string GuardrailKey(RouteRef route) => "guardrail|" + route;

    private static T Wire<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, IncidentStateJson.Options), IncidentStateJson.Options)!;

    private async Task Turn(string key, Func<Task> call) => await Turn(key, async () => { await call(); return true; });

    private async Task<T> Turn<T>(string key, Func<Task<T>> call)
    {
        var turn = _turns.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await turn.WaitAsync();
        try
        {
            return await call();
        }
        finally
        {
            turn.Release();
        }
    }
}
