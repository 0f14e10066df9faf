using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Microsoft.Extensions.Logging;

namespace Autopilot.Incidents.Alerts;

/// <summary>What a fan-out did: how many workloads got alerts, and the alerts no workload could be derived for.</summary>
public sealed record FanOutResult(int Workloads, int Dispatched, IReadOnlyList<Alert> Unresolved);

/// <summary>
/// Splits a parsed alert batch by workload key and hands each workload's alerts to its incident process. Alerts
/// whose labels name no workload are reported (and counted), never dropped silently. A dispatch failure
/// propagates so the delivery is retried; the incident machine dedups what was already delivered.
/// </summary>
public sealed class AlertFanOut(WorkloadKeyResolver resolver, IIncidentDispatcher dispatcher, LoopTelemetry telemetry, ILogger<AlertFanOut> logger)
{
    public async Task<FanOutResult> FanOutAsync(AlertBatch batch, CancellationToken ct)
    {
        var byWorkload = new Dictionary<WorkloadKey, List<Alert>>();
        var unresolved = new List<Alert>();
        foreach (var alert in batch.Alerts)
        {
            if (resolver.TryResolve(alert, out var key))
            {
                if (!byWorkload.TryGetValue(key, out var list)) byWorkload[key] = list = [];
                list.Add(alert);
            }
            else
            {
                unresolved.Add(alert);
            }
        }

        if (unresolved.Count > 0)
        {
            telemetry.AlertsUnresolved.Add(unresolved.Count);
            logger.LogWarning("{Count} alert(s) name no workload (e.g. {AlertName} with labels {Labels}); they reach no incident",
                unresolved.Count, unresolved[0].Name, string.Join(",", unresolved[0].Labels.Keys));
        }

        await Task.WhenAll(byWorkload.Select(pair => dispatcher.DispatchAsync(pair.Key, pair.Value, ct)));
        return new FanOutResult(byWorkload.Count, byWorkload.Values.Sum(l => l.Count), unresolved);
    }
}
