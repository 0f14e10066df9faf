using Autopilot.Incidents.Ports;

namespace Autopilot.Api.RejectedAlerts;

/// <summary>The newest <c>maxKept</c> rejected alerts in memory (a ring: adding to a full list lets the oldest go and
/// counts it). Memory is bounded by <c>maxKept</c> times one alert's labels (at most 64 of 1 KiB each).</summary>
public sealed class InMemoryRejectedAlertStore(int maxKept, RejectedAlertMetrics metrics) : IRejectedAlertStore
{
    private readonly LinkedList<RejectedAlertRecord> _kept = new();
    private readonly Lock _gate = new();
    private long _dropped;

    public Task AddAsync(IReadOnlyList<RejectedAlertRecord> rejected, CancellationToken ct)
    {
        long dropped = 0;
        lock (_gate)
        {
            foreach (var record in rejected)
            {
                _kept.AddFirst(record);
                if (_kept.Count > maxKept)
                {
                    _kept.RemoveLast();
                    dropped++;
                }
            }
            _dropped += dropped;
        }
        if (dropped > 0) metrics.Dropped.Add(dropped);
        return Task.CompletedTask;
    }

    public Task<RejectedAlertPage> ListAsync(int limit, CancellationToken ct)
    {
        lock (_gate)
            return Task.FromResult(new RejectedAlertPage([.. _kept.Take(limit)], _dropped));
    }
}
