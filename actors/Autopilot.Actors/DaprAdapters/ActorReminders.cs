using Autopilot.Incidents.Ports;

namespace Autopilot.Actors.DaprAdapters;

/// <summary>The two reminder calls an actor exposes to its adapter (Actor's own methods are protected).</summary>
public interface IReminderHost
{
    Task RegisterOneShotReminderAsync(string name, TimeSpan dueIn);

    Task UnregisterReminderIfExistsAsync(string name);
}

/// <summary><see cref="IReminders"/> over Dapr actor reminders: one-shot (no period), replaced when rescheduled.</summary>
public sealed class ActorReminders(IReminderHost actor) : IReminders
{
    public Task ScheduleAsync(string name, TimeSpan dueIn, CancellationToken ct) =>
        actor.RegisterOneShotReminderAsync(name, dueIn < TimeSpan.Zero ? TimeSpan.Zero : dueIn);

    public Task CancelAsync(string name, CancellationToken ct) => actor.UnregisterReminderIfExistsAsync(name);
}
