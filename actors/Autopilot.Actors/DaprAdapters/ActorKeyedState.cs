using System.Text.Json;
using Autopilot.Incidents.Ports;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.DaprAdapters;

/// <summary>
/// <see cref="IKeyedState{T}"/> over an actor's StateManager. The value is stored as JSON text written with the
/// shared options (schema-versioned records, polymorphic proposals, NaN metrics) and saved at once, so every
/// transition is durable before the commands that follow it run.
/// </summary>
public sealed class ActorKeyedState<T>(IActorStateManager stateManager, string key, JsonSerializerOptions json) : IKeyedState<T> where T : class
{
    public async Task<T?> GetAsync(CancellationToken ct)
    {
        var stored = await stateManager.TryGetStateAsync<string>(key, ct);
        return stored.HasValue ? JsonSerializer.Deserialize<T>(stored.Value, json) : null;
    }

    public async Task SetAsync(T value, CancellationToken ct)
    {
        await stateManager.SetStateAsync(key, JsonSerializer.Serialize(value, json), ct);
        await stateManager.SaveStateAsync(ct);
    }
}
