using System.Collections.Concurrent;
using Dapr.Actors.Runtime;

namespace Autopilot.Actors.Tests.Support;

/// <summary>
/// Durable reminders as the sidecar keeps them, per actor: registering a name again replaces it. Nothing fires
/// by itself; tests deliver due reminders explicitly.
/// </summary>
public sealed class RecordingTimerManager : ActorTimerManager
{
    private readonly ConcurrentDictionary<(string Type, string Id, string Name), ActorReminder> _reminders = new();

    public IReadOnlyList<string> Names(string actorType, string actorId) =>
        [.. _reminders.Keys.Where(k => k.Type == actorType && k.Id == actorId).Select(k => k.Name).Order(StringComparer.Ordinal)];

    public TimeSpan? DueTime(string actorType, string actorId, string name) =>
        _reminders.TryGetValue((actorType, actorId, name), out var reminder) ? reminder.DueTime : null;

    /// <summary>Removes a one-shot reminder as the sidecar does when it fires; false when none is registered.</summary>
    public bool Take(string actorType, string actorId, string name) => _reminders.TryRemove((actorType, actorId, name), out _);

    public override Task RegisterReminderAsync(ActorReminder reminder)
    {
        _reminders[(reminder.ActorType, reminder.ActorId.GetId(), reminder.Name)] = reminder;
        return Task.CompletedTask;
    }

    public override Task<IActorReminder> GetReminderAsync(ActorReminderToken reminder) =>
        Task.FromResult<IActorReminder>(_reminders.TryGetValue((reminder.ActorType, reminder.ActorId.GetId(), reminder.Name), out var found) ? found : null!);

    public override Task UnregisterReminderAsync(ActorReminderToken reminder)
    {
        _reminders.TryRemove((reminder.ActorType, reminder.ActorId.GetId(), reminder.Name), out _);
        return Task.CompletedTask;
    }

    public override Task RegisterTimerAsync(ActorTimer timer) => throw new NotSupportedException("The actors use reminders, not timers.");

    public override Task UnregisterTimerAsync(ActorTimerToken timer) => throw new NotSupportedException("The actors use reminders, not timers.");
}
