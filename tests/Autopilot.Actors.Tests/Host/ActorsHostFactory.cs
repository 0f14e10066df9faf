using System.Collections.Concurrent;
using Autopilot.Actors.Alerts;
using Autopilot.Actors.Tests.Support;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Actors.Tests.Host;

/// <summary>
/// The autopilot-actors app as Program builds it, over the ASP.NET pipeline, with the edges that need a sidecar
/// replaced: what would be published to the topic, what would reach the IncidentActors, the journal.
/// </summary>
public sealed class ActorsHostFactory : WebApplicationFactory<Program>
{
    private readonly string _temp = Directory.CreateTempSubdirectory("autopilot-actors-host-").FullName;

    /// <summary>The webhook's token (default: the tests' own, <see cref="Autopilot.Testing.AppSettings.WebhookToken"/>).</summary>
    public string BearerToken { get; init; } = Autopilot.Testing.AppSettings.WebhookToken;

    public RecordingPublisher Published { get; } = new();

    public RecordingDispatcher Dispatched { get; } = new();

    public InMemoryJournal Journal { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.Combine(_temp, "policies"));
        File.WriteAllText(Path.Combine(_temp, "policies", "test.yaml"), LoopHarness.Policy);
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Autopilot.Testing.AppSettings.Actors(_temp, policyDirectory: Path.Combine(_temp, "policies")))
            builder.UseSetting(key, value);
        builder.UseSetting("Autopilot:Guardrail:SigningKey", TestCluster.SigningKey); // the key the test cluster's bridge verifies
        builder.UseSetting("Autopilot:Alerts:BearerToken", BearerToken);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IAlertPublisher>(Published);
            services.AddSingleton<IIncidentDispatcher>(Dispatched);
            services.AddSingleton<IIncidentJournal>(Journal);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try
        {
            Directory.Delete(_temp, recursive: true);
        }
        catch (IOException)
        {
            // The SOP index may still be open; it is in a temp directory.
        }
    }
}

public sealed class RecordingPublisher : IAlertPublisher
{
    public ConcurrentQueue<byte[]> Payloads { get; } = new();

    public Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        Payloads.Enqueue(payload.ToArray());
        return Task.CompletedTask;
    }
}

public sealed class RecordingDispatcher : IIncidentDispatcher
{
    public ConcurrentQueue<(WorkloadKey Workload, IReadOnlyList<Alert> Alerts)> Deliveries { get; } = new();

    public Exception? FailWith { get; set; }

    public Task DispatchAsync(WorkloadKey workload, IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        if (FailWith is not null) throw FailWith;
        Deliveries.Enqueue((workload, alerts));
        return Task.CompletedTask;
    }

    public Task CompleteRestoreAsync(WorkloadKey workload, RestoreOutcome outcome, CancellationToken ct) => Task.CompletedTask;

    public ConcurrentQueue<(WorkloadKey Workload, OperatorAnswered Answer)> Answers { get; } = new();

    /// <summary>What the next answer is refused with; null = accepted.</summary>
    public string? RefuseWith { get; set; }

    public Task<string?> AnswerAsync(WorkloadKey workload, OperatorAnswered answer, CancellationToken ct)
    {
        Answers.Enqueue((workload, answer));
        return Task.FromResult(RefuseWith);
    }

    public Task RecordNotificationAsync(WorkloadKey workload, Autopilot.Incidents.Notifications.NotificationDelivery delivery, CancellationToken ct) => Task.CompletedTask;
}
