using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Standalone.Messaging;
using Autopilot.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Standalone.Tests;

/// <summary>Unreadable state files cost only their own key; the audit trail and the dead letters stay bounded.</summary>
public sealed class StateFaultTests
{
    private sealed record Counter(int Value);

    private static readonly DateTimeOffset At = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_truncated_state_file_is_quarantined_and_only_its_key_starts_afresh()
    {
        var directory = new StateDirectory(Scratch.NewDirectory("quarantine"));
        await new FileKeyedState<Counter>(directory, "incident", "shop/cart").SetAsync(new Counter(7), default);
        var broken = directory.PathFor("incident", "shop/checkout");
        File.WriteAllText(broken, """{"Value":""");
        var quarantined = new List<QuarantinedFile>();
        directory.Quarantined += quarantined.Add;

        Assert.Null(await new FileKeyedState<Counter>(directory, "incident", "shop/checkout").GetAsync(default));
        Assert.Equal(7, (await new FileKeyedState<Counter>(new StateDirectory(directory.Root), "incident", "shop/cart").GetAsync(default))!.Value);

        Assert.False(File.Exists(broken));
        var moved = Assert.Single(directory.QuarantinedFiles());
        Assert.Matches(@"^quarantine/\d{8}T\d{6}\.\d{3}Z-incident-shop%2Fcheckout\.json$", moved);
        Assert.Equal("""{"Value":""", File.ReadAllText(Path.Combine(directory.Root, moved)));
        var raised = Assert.Single(quarantined);
        Assert.Equal((broken, Path.Combine(directory.Root, moved)), (raised.Path, raised.MovedTo));
        Assert.Contains(nameof(Counter), raised.Reason);

        // The key writes and reads again as if it had never existed.
        await new FileKeyedState<Counter>(directory, "incident", "shop/checkout").SetAsync(new Counter(1), default);
        Assert.Equal(1, (await new FileKeyedState<Counter>(new StateDirectory(directory.Root), "incident", "shop/checkout").GetAsync(default))!.Value);
    }

    [Fact]
    public async Task The_journal_loads_without_a_truncated_audit_file_and_quarantines_it()
    {
        var directory = new StateDirectory(Scratch.NewDirectory("journal-quarantine"));
        await new FileIncidentJournal(directory).RecordAsync(IncidentRecord.Open("inc-good", new WorkloadKey("shop", "cart"), At), default);
        File.WriteAllText(directory.PathFor(FileIncidentJournal.Area, "inc-bad"), """{"schemaVersion":1,"incidentId":"inc-b""");

        var journal = new FileIncidentJournal(new StateDirectory(directory.Root));
        var listed = await journal.ListAsync(new IncidentQuery(), default);

        Assert.Equal("inc-good", Assert.Single(listed).IncidentId);
        Assert.Null(await journal.GetAsync("inc-bad", default));
        Assert.Contains("incidents-inc-bad.json", Assert.Single(directory.QuarantinedFiles()));
    }

    [Fact]
    public async Task Closed_incidents_beyond_the_kept_number_leave_the_list_but_are_still_read_by_id()
    {
        var directory = new StateDirectory(Scratch.NewDirectory("journal-bound"));
        var journal = new FileIncidentJournal(directory, closedKept: 2);
        for (var i = 1; i <= 4; i++)
            await journal.RecordAsync(Closed($"inc-{i}", At.AddMinutes(i)), default);
        await journal.RecordAsync(IncidentRecord.Open("inc-open", new WorkloadKey("shop", "cart"), At), default);

        var listed = await journal.ListAsync(new IncidentQuery(), default);

        Assert.Equal(["inc-4", "inc-3", "inc-open"], listed.Select(s => s.IncidentId));
        Assert.Equal(IncidentPhase.Resolved, (await journal.GetAsync("inc-1", default))!.Phase);
        // A restart indexes the same bounded set from disk.
        var reloaded = new FileIncidentJournal(new StateDirectory(directory.Root), closedKept: 2);
        Assert.Equal(listed.Select(s => s.IncidentId), (await reloaded.ListAsync(new IncidentQuery(), default)).Select(s => s.IncidentId));
        Assert.Equal(5, reloaded.All.Count);
    }

    private static IncidentRecord Closed(string id, DateTimeOffset at) =>
        IncidentRecord.Open(id, new WorkloadKey("shop", "checkout"), at) with { Phase = IncidentPhase.Resolved, UpdatedAt = at, ClosedAt = at };

    [Fact]
    public async Task Dead_letters_survive_a_restart_newest_first()
    {
        var root = Scratch.NewDirectory("dead-letters");
        var store = new FileDeadLetterStore(new StateDirectory(root), maxKept: 10);
        await store.AddAsync(Letter("a", At), default);
        await store.AddAsync(Letter("b", At.AddSeconds(1)), default);

        var page = await new FileDeadLetterStore(new StateDirectory(root), maxKept: 10).ListAsync(100, default);

        Assert.Equal(["b", "a"], page.Letters.Select(l => l.Id));
        Assert.Equal(Letter("b", At.AddSeconds(1)), page.Letters[0]);
        Assert.Equal(0, page.Dropped);
    }

    [Fact]
    public async Task Dead_letters_beyond_max_kept_are_let_go_oldest_first_and_counted_across_restarts()
    {
        var root = Scratch.NewDirectory("dead-letters-bound");
        var store = new FileDeadLetterStore(new StateDirectory(root), maxKept: 2);
        for (var i = 1; i <= 5; i++) await store.AddAsync(Letter($"l{i}", At.AddSeconds(i)), default);

        var page = await new FileDeadLetterStore(new StateDirectory(root), maxKept: 2).ListAsync(100, default);

        Assert.Equal(["l5", "l4"], page.Letters.Select(l => l.Id));
        Assert.Equal(3, page.Dropped);
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(root, FileDeadLetterStore.Area)).Count());
    }

    [Fact]
    public void A_dead_letter_keeps_the_start_of_a_large_message_and_says_how_long_it_was()
    {
        var body = new byte[DeadLetterRecord.MaxMessageBytes + 10];
        Array.Fill(body, (byte)'x');

        var text = DeadLetterRecord.MessageText(body);

        Assert.StartsWith(new string('x', DeadLetterRecord.MaxMessageBytes), text);
        Assert.EndsWith($"(cut: the message was {body.Length} bytes)", text);
        Assert.Equal("{}", DeadLetterRecord.MessageText("{}"u8));
    }

    private static DeadLetterRecord Letter(string id, DateTimeOffset at) => new(id, "alerts", at, "the subscriber dropped it", 1, "{not json");

    [Fact]
    public async Task The_topic_keeps_a_bounded_list_of_dead_letters_and_hands_every_one_to_its_sink()
    {
        await using var topic = new InMemoryTopic<string>("alerts", new TopicOptions { MaxDeadLetters = 2, Concurrency = 1 }, TimeProvider.System, NullLogger.Instance);
        var sunk = new List<string>();
        topic.DeadLetterSink = (letter, _) =>
        {
            lock (sunk) sunk.Add(letter.Message);
            return Task.CompletedTask;
        };
        topic.Subscribe((_, _) => Task.FromResult(DeliveryResult.Drop));
        foreach (var message in new[] { "m1", "m2", "m3" }) await topic.PublishAsync(message);

        await DurableStateTests.WaitUntil(() => topic.DeadLetterCount == 3 && topic.Pending == 0, "three messages were not dead-lettered");
        Assert.Equal(["m2", "m3"], topic.DeadLetters.Select(l => l.Message));
        lock (sunk) Assert.Equal(["m1", "m2", "m3"], sunk);
    }
}
