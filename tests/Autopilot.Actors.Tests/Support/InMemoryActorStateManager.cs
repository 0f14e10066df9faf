using System.Collections.Concurrent;
using System.Text.Json;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.Tests.Support;

/// <summary>The actor state store: what SaveStateAsync has made durable, per actor type and id, as JSON.</summary>
public sealed class ActorStateStore
{
    private readonly ConcurrentDictionary<string, string> _saved = new(StringComparer.Ordinal);

    public int Saves;

    public IActorStateManager ManagerFor(string actorType, string actorId) => new InMemoryActorStateManager(this, $"{actorType}||{actorId}||");

    internal bool TryGet(string key, out string json) => _saved.TryGetValue(key, out json!);

    internal void Save(IReadOnlyDictionary<string, string?> changes)
    {
        foreach (var (key, json) in changes)
        {
            if (json is null) _saved.TryRemove(key, out _);
            else _saved[key] = json;
        }
        Interlocked.Increment(ref Saves);
    }

    /// <summary>
    /// Behaves like Dapr's ActorStateManager: changes are cached in the instance and become durable only with
    /// SaveStateAsync (the runtime calls it after each actor method); a new instance (reactivation) sees only
    /// what was saved. Values round-trip through JSON as they do through the sidecar.
    /// </summary>
    private sealed class InMemoryActorStateManager(ActorStateStore store, string prefix) : IActorStateManager
    {
        private readonly Dictionary<string, string?> _pending = new(StringComparer.Ordinal);

        public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
        {
            _pending[prefix + stateName] = JsonSerializer.Serialize(value);
            return Task.CompletedTask;
        }

        public Task SetStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            SetStateAsync(stateName, value, cancellationToken);

        public Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
        {
            var key = prefix + stateName;
            if (_pending.TryGetValue(key, out var pending))
                return Task.FromResult(pending is null ? new ConditionalValue<T>() : new ConditionalValue<T>(true, JsonSerializer.Deserialize<T>(pending)!));
            return Task.FromResult(store.TryGet(key, out var json) ? new ConditionalValue<T>(true, JsonSerializer.Deserialize<T>(json)!) : new ConditionalValue<T>());
        }

        public async Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default)
        {
            var value = await TryGetStateAsync<T>(stateName, cancellationToken);
            return value.HasValue ? value.Value : throw new KeyNotFoundException($"Actor state '{stateName}' not found.");
        }

        public async Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default) =>
            (await TryGetStateAsync<JsonElement>(stateName, cancellationToken)).HasValue;

        public async Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
        {
            if (!await TryAddStateAsync(stateName, value, cancellationToken))
                throw new InvalidOperationException($"Actor state '{stateName}' already exists.");
        }

        public Task AddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            AddStateAsync(stateName, value, cancellationToken);

        public async Task<bool> TryAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
        {
            if (await ContainsStateAsync(stateName, cancellationToken)) return false;
            await SetStateAsync(stateName, value, cancellationToken);
            return true;
        }

        public Task<bool> TryAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            TryAddStateAsync(stateName, value, cancellationToken);

        public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
        {
            var existing = await TryGetStateAsync<T>(stateName, cancellationToken);
            if (existing.HasValue) return existing.Value;
            await SetStateAsync(stateName, value, cancellationToken);
            return value;
        }

        public Task<T> GetOrAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            GetOrAddStateAsync(stateName, value, cancellationToken);

        public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default)
        {
            var existing = await TryGetStateAsync<T>(stateName, cancellationToken);
            var value = existing.HasValue ? updateValueFactory(stateName, existing.Value) : addValue;
            await SetStateAsync(stateName, value, cancellationToken);
            return value;
        }

        public Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, TimeSpan ttl, CancellationToken cancellationToken = default) =>
            AddOrUpdateStateAsync(stateName, addValue, updateValueFactory, cancellationToken);

        public async Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
        {
            if (!await TryRemoveStateAsync(stateName, cancellationToken))
                throw new KeyNotFoundException($"Actor state '{stateName}' not found.");
        }

        public async Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default)
        {
            if (!await ContainsStateAsync(stateName, cancellationToken)) return false;
            _pending[prefix + stateName] = null;
            return true;
        }

        public Task ClearCacheAsync(CancellationToken cancellationToken = default)
        {
            _pending.Clear();
            return Task.CompletedTask;
        }

        public Task UnloadStateAsync(string stateName, UnloadStateOptions? options = null, CancellationToken cancellationToken = default)
        {
            var key = prefix + stateName;
            if (_pending.ContainsKey(key) && options?.AllowUnloadingWhenStateModified != true)
                throw new InvalidOperationException($"Actor state '{stateName}' has unsaved changes.");
            _pending.Remove(key);
            return Task.CompletedTask;
        }

        public Task SaveStateAsync(CancellationToken cancellationToken = default)
        {
            if (_pending.Count > 0) store.Save(new Dictionary<string, string?>(_pending));
            _pending.Clear();
            return Task.CompletedTask;
        }
    }
}
