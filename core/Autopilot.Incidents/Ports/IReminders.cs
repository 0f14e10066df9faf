namespace Autopilot.Incidents.Ports;

/// <summary>
/// Durable, named, one-shot reminders for one keyed process. Scheduling a name that exists replaces it.
/// When one is due the host calls the process's ReceiveReminderAsync(name). Dapr: actor reminders;
/// stand-alone: durable reminders on disk.
/// </summary>
public interface IReminders
{
    Task ScheduleAsync(string name, TimeSpan dueIn, CancellationToken ct);

    /// <summary>Cancelling a reminder that does not exist is not an error.</summary>
    Task CancelAsync(string name, CancellationToken ct);
}
