using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Hosting;
using Autopilot.Standalone.Adapters;
using Autopilot.Standalone.Hosting;
using Autopilot.Standalone.InProcessRuntime;
using Autopilot.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Standalone.Tests;

/// <summary>
/// Faults in the state directory, through the running stand-alone host: a truncated audit file, incident state or
/// guardrail state costs only its own incident or route, readiness names the quarantined files until they are deleted,
/// and alerts that were never handled are kept on disk and served by GET /dead-letters across a restart.
/// </summary>
public sealed class StandaloneHostFaultTests : IAsyncLifetime
{
    private readonly string _state = Scratch.NewDirectory("host-faults");
    private readonly RecordingLogs _logs = new();
    private SimulatedEnvironment? _environment;

    public async Task InitializeAsync() => _environment = await SimulatedEnvironment.StartAsync([], NullLoggerFactory.Instance);

    public async Task DisposeAsync()
    {
        if (_environment is not null) await _environment.DisposeAsync();
    }

    private Task<AutopilotHost> StartAsync() =>
        AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(_environment!, new SeriesHistory(TimeSpan.FromMinutes(5)), _state, Repo.Root), _logs);

    [Fact]
    public async Task Corrupt_audit_incident_and_guardrail_files_cost_only_their_own_keys_and_readiness_names_them_until_deleted()
    {
        var directory = new StateDirectory(_state);
        await new FileIncidentJournal(directory).RecordAsync(IncidentRecord.Open("inc-good", new WorkloadKey("shop", "cart"), DateTimeOffset.UtcNow), default);
        Truncate(directory.PathFor(FileIncidentJournal.Area, "inc-truncated"));
        Truncate(directory.PathFor(ProcessKeys.Incident, "shop/checkout"));
        Truncate(directory.PathFor(ProcessKeys.Guardrail, "shop/checkout"));
        using var quarantinedCount = new MeasurementCount("autopilot.state.quarantined");

        await using var host = await StartAsync();
        using var http = new HttpClient { BaseAddress = host.Url };

        // The audit trail answers without the truncated record (it used to answer 500 with an empty body).
        using var list = await http.GetAsync("/incidents");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(["inc-good"], (await list.Content.ReadFromJsonAsync<JsonElement[]>())!.Select(e => e.GetProperty("incidentId").GetString()));
        using var truncated = await http.GetAsync("/incidents/inc-truncated");
        Assert.Equal(HttpStatusCode.NotFound, truncated.StatusCode);

        // The workload and the route start afresh instead of failing every turn (the guardrail's used to retry forever).
        var incident = await host.Services.GetRequiredService<InProcessIncidentDispatcher>().ReadAsync(new WorkloadKey("shop", "checkout"), default);
        Assert.NotNull(incident);
        Assert.Empty((await host.Guardrails.ReadStateAsync(RouteRef.Parse("shop/checkout"), default)).Ledger);

        // An alert for that workload reaches it and opens an incident; it is not dead-lettered.
        using var webhook = new HttpRequestMessage(HttpMethod.Post, "/alertmanager") { Content = new StringContent(Webhook("shop", "checkout"), Encoding.UTF8, "application/json") };
        webhook.Headers.Authorization = new("Bearer", host.WebhookToken);
        using var posted = await http.SendAsync(webhook);
        Assert.True(posted.IsSuccessStatusCode, $"webhook answered {(int)posted.StatusCode}");
        await DurableStateTests.WaitUntil(() => host.Journal.All.Any(r => r.Workload == "shop/checkout"), "no incident opened for shop/checkout", 60);
        Assert.Equal(0, host.Topic.DeadLetterCount);

        var files = Directory.EnumerateFiles(Path.Combine(_state, StateDirectory.QuarantineArea)).Select(Path.GetFileName).ToList();
        Assert.Equal(3, files.Count);
        Assert.Equal(3, quarantinedCount.Total);
        Assert.Contains(_logs.Errors, line => line.Contains("incidents/inc-truncated.json") && line.Contains(StateDirectory.QuarantineArea));

        using var notReady = await http.GetAsync("/readyz");
        var reason = await notReady.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.All(files, file => Assert.Contains(file!, reason));

        // The operator has looked at them and deletes them: ready again.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_state, StateDirectory.QuarantineArea))) File.Delete(file);
        using var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task An_alert_event_that_is_never_handled_is_listed_by_get_dead_letters_after_a_restart()
    {
        await using (var first = await StartAsync())
        {
            await first.Topic.PublishAsync("{not an alert event"u8.ToArray());
            await DurableStateTests.WaitUntil(() => first.Topic.DeadLetterCount == 1 && first.Topic.Pending == 0, "the event was not dead-lettered");
        }

        await using var second = await StartAsync();
        using var http = new HttpClient { BaseAddress = second.Url };
        var page = await http.GetFromJsonAsync<JsonElement>("/dead-letters");

        var letter = Assert.Single(page.GetProperty("letters").EnumerateArray());
        Assert.Equal("{not an alert event", letter.GetProperty("message").GetString());
        Assert.Equal("alerts", letter.GetProperty("topic").GetString());
        Assert.Equal(1, letter.GetProperty("attempts").GetInt32());
        Assert.Equal("the subscriber dropped it", letter.GetProperty("reason").GetString());
        Assert.True(letter.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(0, page.GetProperty("dropped").GetInt64());

        using var bad = await http.GetAsync("/dead-letters?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Bad_state_and_dead_letter_settings_stop_the_host_naming_the_keys()
    {
        var settings = StandaloneSettings.ForSimulator(_environment!, new SeriesHistory(TimeSpan.FromMinutes(5)), _state, Repo.Root) with
        {
            Configuration = new Dictionary<string, string?> { ["Autopilot:State:ClosedIncidentsKept"] = "-1", ["Autopilot:DeadLetters:MaxKept"] = "0" },
        };

        var e = await Assert.ThrowsAnyAsync<Exception>(() => AutopilotHost.StartAsync(settings));

        var message = e is AggregateException all ? string.Join("\n", all.InnerExceptions.Select(i => i.Message)) : e.Message;
        Assert.Contains("Autopilot:State:ClosedIncidentsKept is -1", message);
        Assert.Contains("Autopilot:DeadLetters:MaxKept is 0", message);
    }

    private static void Truncate(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, """{"schemaVersion":1,"current":{"incid""");
    }

    private static string Webhook(string ns, string workload) => $$"""
        {"receiver":"autopilot","status":"firing","version":"4","groupKey":"{}:{alertname=\"CanaryHighErrorRate\"}","truncatedAlerts":0,
         "groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager",
         "alerts":[{"status":"firing","labels":{"alertname":"CanaryHighErrorRate","namespace":"{{ns}}","workload":"{{workload}}"},
                    "annotations":{},"startsAt":"2026-11-29T09:58:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"","fingerprint":"f1"}]}
        """;

    /// <summary>The error lines the host logs.</summary>
    private sealed class RecordingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLogs logs) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error) logs.Errors.Enqueue(formatter(state, exception));
            }
        }
    }

    /// <summary>Sums one counter of the loop's meter while the test runs.</summary>
    private sealed class MeasurementCount : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public MeasurementCount(string instrument)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Name == instrument) l.EnableMeasurementEvents(i);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
