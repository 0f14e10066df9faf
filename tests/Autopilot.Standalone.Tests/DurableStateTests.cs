using Autopilot.Testing;
using Autopilot.Standalone.InProcessRuntime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Standalone.Tests;

public sealed class DurableStateTests
{
    private sealed record Counter(int Value);

    [Fact]
    public async Task Keyed_state_survives_a_new_state_directory_object_over_the_same_folder()
    {
        var root = Scratch.NewDirectory("state");
        await new FileKeyedState<Counter>(new StateDirectory(root), "incident", "shop/checkout").SetAsync(new Counter(3), default);

        var reopened = new FileKeyedState<Counter>(new StateDirectory(root), "incident", "shop/checkout");
        Assert.Equal(3, (await reopened.GetAsync(default))!.Value);
        Assert.Null(await new FileKeyedState<Counter>(new StateDirectory(root), "incident", "shop/other").GetAsync(default));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "incident"), "*.tmp"));
    }

    [Fact]
    public async Task Keyed_state_is_read_from_disk_once_and_then_served_from_memory_like_actor_state()
    {
        var root = Scratch.NewDirectory("state");
        var directory = new StateDirectory(root);
        var state = new FileKeyedState<Counter>(directory, "incident", "shop/checkout");
        await state.SetAsync(new Counter(1), default);
        var path = directory.PathFor("incident", "shop/checkout");

        // What is on disk is the last write; the in-memory copy is what the running host serves.
        File.WriteAllText(path, """{"Value":2}""");
        Assert.Equal(1, (await state.GetAsync(default))!.Value);
        Assert.Equal(2, (await new FileKeyedState<Counter>(new StateDirectory(root), "incident", "shop/checkout").GetAsync(default))!.Value);

        await state.SetAsync(new Counter(5), default);
        Assert.Equal(5, (await new FileKeyedState<Counter>(new StateDirectory(root), "incident", "shop/checkout").GetAsync(default))!.Value);
    }

    [Fact]
    public async Task A_reminder_due_while_the_host_was_down_fires_after_restart()
    {
        var root = Scratch.NewDirectory("reminders");
        await using (var before = new DurableReminders(new StateDirectory(root), TimeProvider.System, NullLogger<DurableReminders>.Instance))
        {
            await before.For("incident", "shop/checkout").ScheduleAsync("verify", TimeSpan.FromMilliseconds(100), default);
            await before.For("incident", "shop/checkout").ScheduleAsync("cancelled", TimeSpan.FromMilliseconds(100), default);
            await before.For("incident", "shop/checkout").CancelAsync("cancelled", default);
        }

        await using var after = new DurableReminders(new StateDirectory(root), TimeProvider.System, NullLogger<DurableReminders>.Instance);
        var fired = new TaskCompletionSource<ReminderEntry>();
        await after.StartAsync((entry, _) =>
        {
            fired.TrySetResult(entry);
            return Task.CompletedTask;
        });
        var reminder = await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("incident", "shop/checkout", "verify"), (reminder.Area, reminder.Key, reminder.Name));
        await WaitUntil(() => after.Pending.Count == 0, "the fired reminder was not removed");
    }

    [Fact]
    public async Task A_reminder_whose_callback_fails_is_retried()
    {
        var root = Scratch.NewDirectory("reminders-retry");
        await using var reminders = new DurableReminders(new StateDirectory(root), TimeProvider.System, NullLogger<DurableReminders>.Instance)
        {
            RetryDelay = TimeSpan.FromMilliseconds(50),
        };
        var calls = 0;
        var succeeded = new TaskCompletionSource();
        await reminders.StartAsync((_, _) =>
        {
            if (Interlocked.Increment(ref calls) == 1) throw new IOException("turn failed");
            succeeded.TrySetResult();
            return Task.CompletedTask;
        });
        await reminders.For("guardrail", "shop/checkout").ScheduleAsync("approval-timeout:c1", TimeSpan.Zero, default);
        await succeeded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, calls);
    }

    internal static async Task WaitUntil(Func<bool> condition, string failure, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{failure} (waited {seconds} s)");
            await Task.Delay(20);
        }
    }
}
