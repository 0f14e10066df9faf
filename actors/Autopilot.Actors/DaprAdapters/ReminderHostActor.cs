using Dapr.Actors.Runtime;

namespace Autopilot.Actors.DaprAdapters;

/// <summary>An actor whose process schedules one-shot reminders through <see cref="ActorReminders"/>.</summary>
public abstract class ReminderHostActor(ActorHost host) : Actor(host), IReminderHost
{
    Task IReminderHost.RegisterOneShotReminderAsync(string name, TimeSpan dueIn) =>
        RegisterReminderAsync(name, null, dueIn, Timeout.InfiniteTimeSpan);

    async Task IReminderHost.UnregisterReminderIfExistsAsync(string name)
    {
        if (await GetReminderAsync(name) is not null) await UnregisterReminderAsync(name);
    }
}
