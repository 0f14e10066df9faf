using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autopilot.Actors.DeadLetters;
using Autopilot.Actors.Tests.Host;
using Autopilot.Incidents.Ports;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Actors.Tests.DeadLetters;

/// <summary>The actors app subscribes to its dead-letter topic and serves what arrives there at GET /dead-letters, the
/// same endpoint and answer as the stand-alone host (shared Autopilot.Api); the Dapr state store is replaced by memory.</summary>
public sealed class DeadLetterSubscriptionTests : IClassFixture<ActorsHostFactory>
{
    private readonly InMemoryDeadLetters _store = new();
    private readonly WebApplicationFactory<Program> _app;

    public DeadLetterSubscriptionTests(ActorsHostFactory factory) =>
        _app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IDeadLetterStore>(_store)));

    private static StringContent CloudEvent(string id) => new(
        $$$"""{"specversion":"1.0","type":"com.dapr.event.sent","source":"autopilot-actors","id":"{{{id}}}","pubsubname":"alerts-pubsub","topic":"alerts-deadletter","datacontenttype":"application/json","data":{"version":"4","alerts":[{"status":"firing"}]}}""",
        Encoding.UTF8, "application/cloudevents+json");

    [Fact]
    public async Task Dapr_subscribe_lists_the_dead_letter_topic()
    {
        using var subscriptions = await _app.CreateClient().GetFromJsonAsync<JsonDocument>("/dapr/subscribe");

        var deadLetters = Assert.Single(subscriptions!.RootElement.EnumerateArray(),
            s => s.EnumerateObject().Any(p => p.Name.Equals("topic", StringComparison.OrdinalIgnoreCase) && p.Value.GetString() == "alerts-deadletter"));
        Assert.Contains(DeadLetterSubscriptionEndpoints.Path.TrimStart('/'), deadLetters.GetRawText());
    }

    [Fact]
    public async Task A_dead_lettered_event_is_stored_once_and_served_by_get_dead_letters()
    {
        var client = _app.CreateClient();
        foreach (var _ in new[] { 1, 2 }) // Dapr delivers at least once
        {
            using var delivered = await client.PostAsync(DeadLetterSubscriptionEndpoints.Path, CloudEvent("evt-1"));
            Assert.Equal("SUCCESS", (await delivered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        var page = await client.GetFromJsonAsync<JsonElement>("/dead-letters");

        var letter = Assert.Single(page.GetProperty("letters").EnumerateArray());
        Assert.Equal("evt-1", letter.GetProperty("id").GetString());
        Assert.Equal("alerts", letter.GetProperty("topic").GetString());
        Assert.Contains("alerts-deadletter", letter.GetProperty("reason").GetString());
        Assert.False(letter.TryGetProperty("attempts", out _)); // Dapr does not say how many deliveries were tried
        Assert.Contains("\"status\":\"firing\"", letter.GetProperty("message").GetString());
        Assert.Equal(0, page.GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task A_letter_the_store_cannot_keep_is_left_to_dapr_to_redeliver()
    {
        _store.FailWith = new IOException("state store unavailable");

        using var delivered = await _app.CreateClient().PostAsync(DeadLetterSubscriptionEndpoints.Path, CloudEvent("evt-2"));

        Assert.Equal("RETRY", (await delivered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Get_dead_letters_with_a_bad_limit_is_a_problem_naming_the_field()
    {
        using var response = await _app.CreateClient().GetAsync("/dead-letters?limit=5000");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("limit", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private sealed class InMemoryDeadLetters : IDeadLetterStore
    {
        private readonly List<DeadLetterRecord> _letters = [];

        public Exception? FailWith { get; set; }

        public Task AddAsync(DeadLetterRecord letter, CancellationToken ct)
        {
            if (FailWith is not null) throw FailWith;
            lock (_letters)
                if (_letters.All(l => l.Id != letter.Id)) _letters.Insert(0, letter);
            return Task.CompletedTask;
        }

        public Task<DeadLetterPage> ListAsync(int limit, CancellationToken ct)
        {
            lock (_letters) return Task.FromResult(new DeadLetterPage([.. _letters.Take(limit)], 0));
        }
    }
}
