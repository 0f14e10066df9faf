using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Workloads;
using Microsoft.Extensions.Logging;

namespace Autopilot.Simulator.Alerting;

/// <summary>A change of an alert's state, for timelines and tests.</summary>
public sealed record AlertTransition(string Name, WorkloadKey Workload, IReadOnlyDictionary<string, string> Labels, bool Firing, DateTimeOffset At);

/// <summary>
/// The built-in stand-in for Prometheus rule evaluation plus Alertmanager notification: every evaluation interval it
/// records the cluster's series, evaluates <see cref="AlertConditions"/>, keeps each condition pending until it has
/// held for "for", then notifies firing and resolved alerts grouped per workload (repeating still-firing ones every
/// repeat interval). A failed notification is retried at the next evaluation.
/// </summary>
public sealed class AlertEvaluator(SimulatedCluster cluster, AlertRuleSettings settings, IAlertNotifier notifier, ILogger<AlertEvaluator> logger)
{
    private readonly SeriesHistory _history = new(settings.LongestWindow > settings.FlapWindow ? settings.LongestWindow : settings.FlapWindow);
    private readonly Dictionary<string, AlertInstance> _alerts = [];
    private readonly Dictionary<(WorkloadKey, string), FlapTracker> _flaps = [];
    private readonly Dictionary<WorkloadKey, GroupState> _groups = [];
    private readonly SemaphoreSlim _turn = new(1, 1);

    public AlertRuleSettings Settings { get; } = settings;

    /// <summary>The evaluator's recorded series; the stand-alone health source reads windows from it.</summary>
    public SeriesHistory History => _history;

    public event Action<AlertTransition>? Transition;

    public IReadOnlyList<ActiveCondition> Firing
    {
        get
        {
            lock (_alerts) return [.. _alerts.Values.Where(a => a.FiringSince is not null).Select(a => a.Condition)];
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Settings.EvaluationInterval, cluster.Time);
        do
        {
            try
            {
                await EvaluateAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Alert evaluation failed; trying again at the next interval");
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One evaluation round: record, evaluate, notify.</summary>
    public async Task EvaluateAsync(CancellationToken cancellationToken = default)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            var snapshots = cluster.Snapshot();
            _history.Record(snapshots);
            var now = cluster.Time.GetUtcNow();
            foreach (var snapshot in snapshots)
            {
                var conditions = AlertConditions.Evaluate(
                    snapshot,
                    _history.Window(snapshot.Key, Settings.RateWindow),
                    _history.Window(snapshot.Key, Settings.RestartWindow),
                    FlappingVersions(snapshot.Key, now),
                    Settings);
                Update(snapshot.Key, conditions, now);
            }
            await NotifyAsync(now, cancellationToken);
        }
        finally
        {
            _turn.Release();
        }
    }

    private IReadOnlyCollection<string> FlappingVersions(WorkloadKey key, DateTimeOffset now)
    {
        var flapping = new List<string>();
        foreach (var window in _history.Window(key, Settings.FlapRateWindow))
        {
            if (!_flaps.TryGetValue((key, window.Version), out var tracker)) _flaps[(key, window.Version)] = tracker = new FlapTracker();
            if (tracker.Observe(window.ErrorRatio > Settings.ErrorRatioThreshold, now, Settings.FlapWindow) >= Settings.FlapChanges)
                flapping.Add(window.Version);
        }
        return flapping;
    }

    private void Update(WorkloadKey key, IReadOnlyList<ActiveCondition> conditions, DateTimeOffset now)
    {
        var transitions = new List<AlertTransition>();
        lock (_alerts)
        {
            var group = Group(key);
            var holding = conditions.ToDictionary(c => c.Identity);
            foreach (var (identity, condition) in holding)
            {
                if (!_alerts.TryGetValue(identity, out var alert))
                    _alerts[identity] = alert = new AlertInstance(key, condition, PendingSince: now);
                alert.Condition = condition;
                if (alert.FiringSince is null && now - alert.PendingSince >= Settings.For)
                {
                    alert.FiringSince = now;
                    group.Dirty = true;
                    transitions.Add(new AlertTransition(condition.Name, key, condition.Labels, true, now));
                }
            }
            foreach (var (identity, alert) in _alerts.Where(a => a.Value.Workload == key && !holding.ContainsKey(a.Key)).ToList())
            {
                _alerts.Remove(identity);
                if (alert.FiringSince is null) continue;
                group.Resolved.Add(ToWebhook(alert, now));
                group.Dirty = true;
                transitions.Add(new AlertTransition(alert.Condition.Name, key, alert.Condition.Labels, false, now));
            }
        }
        foreach (var transition in transitions)
        {
            logger.LogInformation("Alert {Alert} {State} for {Workload}", transition.Name, transition.Firing ? "firing" : "resolved", key);
            Transition?.Invoke(transition);
        }
    }

    private async Task NotifyAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<(WorkloadKey Key, GroupState Group, AlertmanagerWebhook Payload)> due = [];
        lock (_alerts)
        {
            foreach (var (key, group) in _groups)
            {
                var firing = _alerts.Values.Where(a => a.Workload == key && a.FiringSince is not null).ToList();
                var repeat = firing.Count > 0 && now - group.LastSent >= Settings.RepeatInterval;
                if (!group.Dirty && !repeat) continue;
                var alerts = firing.Select(a => ToWebhook(a, null)).Concat(group.Resolved).ToList();
                if (alerts.Count == 0) { group.Dirty = false; continue; }
                due.Add((key, group, AlertmanagerWebhook.ForGroup(key.Namespace, key.Name, alerts, "http://127.0.0.1/simulator")));
            }
        }
        foreach (var (key, group, payload) in due)
        {
            try
            {
                await notifier.NotifyAsync(payload, cancellationToken);
                lock (_alerts)
                {
                    group.Dirty = false;
                    group.LastSent = now;
                    group.Resolved.RemoveAll(r => payload.Alerts.Contains(r));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not deliver alerts for {Workload}; retrying at the next evaluation", key);
            }
        }
    }

    private GroupState Group(WorkloadKey key)
    {
        if (!_groups.TryGetValue(key, out var group)) _groups[key] = group = new GroupState();
        return group;
    }

    private static WebhookAlert ToWebhook(AlertInstance alert, DateTimeOffset? resolvedAt) => new(
        resolvedAt is null ? "firing" : "resolved",
        alert.Condition.Labels,
        alert.Condition.Annotations,
        alert.FiringSince ?? alert.PendingSince,
        resolvedAt ?? DateTimeOffset.MinValue, // Alertmanager sends 0001-01-01T00:00:00Z while firing
        "http://127.0.0.1/simulator/graph",
        AlertmanagerWebhook.Fingerprint(alert.Condition.Labels));

    private sealed class AlertInstance(WorkloadKey workload, ActiveCondition condition, DateTimeOffset PendingSince)
    {
        public WorkloadKey Workload { get; } = workload;
        public ActiveCondition Condition { get; set; } = condition;
        public DateTimeOffset PendingSince { get; } = PendingSince;
        public DateTimeOffset? FiringSince { get; set; }
    }

    private sealed class GroupState
    {
        public bool Dirty { get; set; }
        public DateTimeOffset LastSent { get; set; } = DateTimeOffset.MinValue;
        public List<WebhookAlert> Resolved { get; } = [];
    }

    /// <summary>Counts changes of a boolean within a sliding window (PromQL's changes() over a subquery).</summary>
    private sealed class FlapTracker
    {
        private readonly Queue<DateTimeOffset> _changes = new();
        private bool? _last;

        public int Observe(bool state, DateTimeOffset now, TimeSpan window)
        {
            if (_last is { } last && last != state) _changes.Enqueue(now);
            _last = state;
            while (_changes.TryPeek(out var oldest) && now - oldest > window) _changes.Dequeue();
            return _changes.Count;
        }
    }
}
