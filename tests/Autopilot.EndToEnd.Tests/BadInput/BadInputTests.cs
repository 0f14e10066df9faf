extern alias actors;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Hosting;
using Autopilot.Standalone.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.EndToEnd.Tests.BadInput;

/// <summary>
/// Bad input, proven, against both hosts (the Dapr host over its ASP.NET pipeline with a recording topic, the
/// stand-alone host over Kestrel): a corpus of malformed webhook and API bodies (BadInput/Corpus, one file each) and a
/// seeded fuzz of mutated valid payloads. Every answer is 2xx, or 4xx problem details; never a 5xx. Nothing a host
/// refused is published or opens an incident; alerts that name no valid workload are reported, counted and listed.
/// </summary>
[Collection(Name)]
public sealed class BadInputTests : IAsyncLifetime
{
    /// <summary>Alone: the memory bound is measured on this process's managed heap, which other tests would move.</summary>
    public const string Name = "bad input";

    private const int FuzzSeed = 20261129;
    private const int FuzzMutations = 5000;

    private readonly string _state = TestContent.NewStateDirectory("badinput");
    private ActorsApp? _actors;
    private SimulatedEnvironment? _environment;
    private AutopilotHost? _standalone;
    private HttpClient? _actorsClient;
    private readonly HttpClient _standaloneClient = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        _actors = new ActorsApp(Path.Combine(_state, "actors-content"));
        _actorsClient = _actors.CreateClient();
        _actorsClient.DefaultRequestHeaders.Authorization = Autopilot.Testing.AppSettings.WebhookAuthorization;
        _environment = await SimulatedEnvironment.StartAsync([], NullLoggerFactory.Instance);
        _standalone = await AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(_environment, new(TimeSpan.FromMinutes(5)), Path.Combine(_state, "standalone"), RepoPaths.Root));
        _standaloneClient.BaseAddress = _standalone.Url;
        _standaloneClient.DefaultRequestHeaders.Authorization = new("Bearer", _standalone.WebhookToken);
    }

    public async Task DisposeAsync()
    {
        _actorsClient?.Dispose();
        _standaloneClient.Dispose();
        if (_actors is not null) await _actors.DisposeAsync();
        if (_standalone is not null) await _standalone.DisposeAsync();
        if (_environment is not null) await _environment.DisposeAsync();
    }

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "BadInput", "Corpus");

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(CorpusDirectory).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    /// <summary>The request a corpus file is sent as: its name's first part says which endpoint it is for.</summary>
    private static string PathFor(string file) => file.Split('.')[0] switch
    {
        "webhook" => "/alertmanager",
        "approval" => "/guardrail/shop/checkout/approvals/change-1",
        "acknowledge" => "/incidents/nope/acknowledge",
        "close" => "/incidents/nope/close",
        var other => throw new InvalidOperationException($"corpus file {file}: unknown endpoint '{other}'"),
    };

    [Fact]
    public void The_corpus_holds_at_least_forty_malformed_bodies()
    {
        Assert.True(Directory.EnumerateFiles(CorpusDirectory).Count() >= 40);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Every_malformed_body_is_refused_by_both_hosts_with_a_4xx_problem_and_nothing_is_published(string file)
    {
        var body = await File.ReadAllBytesAsync(Path.Combine(CorpusDirectory, file));
        var published = _actors!.Published.Count;

        foreach (var (host, client) in Hosts())
        {
            var answer = await PostAsync(client, PathFor(file), body);
            Assert.True(answer.Status is >= 400 and < 500, $"{file} on {host}: {answer.Status} {answer.Body}");
            Assert.Equal("application/problem+json", answer.ContentType);
        }

        Assert.Equal(published, _actors.Published.Count);
        await AssertNoIncidentAsync();
    }

    [Fact]
    public async Task Alerts_naming_no_valid_workload_are_answered_counted_listed_and_left_out_of_what_is_published()
    {
        var body = Webhook(Alert("checkout"), Alert("../../etc"), Alert("check\u200bout"), Alert("\u0441heckout"), Alert(new string('a', 254)));

        foreach (var (host, client) in Hosts())
        {
            var answer = await PostAsync(client, "/alertmanager", Encoding.UTF8.GetBytes(body));

            Assert.True(answer.Status == 202, $"{host}: {answer.Status} {answer.Body}");
            using var json = JsonDocument.Parse(answer.Body);
            Assert.Equal(1, json.RootElement.GetProperty("published").GetInt32());
            var rejected = json.RootElement.GetProperty("rejected").EnumerateArray().ToList();
            Assert.Equal([1, 2, 3, 4], rejected.Select(r => r.GetProperty("index").GetInt32()));
            Assert.All(rejected, r => Assert.Equal($"alerts[{r.GetProperty("index").GetInt32()}].labels.workload", r.GetProperty("field").GetString()));
            Assert.Contains("not a Kubernetes object name", rejected[0].GetProperty("reason").GetString());
            Assert.Contains("\\u200b", rejected[1].GetProperty("reason").GetString());

            using var list = JsonDocument.Parse(await client.GetStringAsync("/alerts/rejected?limit=10"));
            var kept = list.RootElement.GetProperty("alerts").EnumerateArray().ToList();
            Assert.Equal(4, kept.Count);
            Assert.Equal("alerts[4].labels.workload", kept[0].GetProperty("field").GetString()); // newest first
            Assert.Equal("../../etc", kept[3].GetProperty("labels").GetProperty("workload").GetString());
        }

        // What the actors host published holds the one valid alert only.
        var payload = Assert.Single(_actors!.Published.Payloads);
        var batch = AlertPayloadParser.ParseWebhook(payload).Value!;
        Assert.Equal("checkout", Assert.Single(batch.Alerts).Label("workload"));
    }

    [Fact]
    public async Task A_payload_whose_every_alert_is_unmappable_is_a_400_listing_each_rejection()
    {
        var body = Encoding.UTF8.GetBytes(Webhook(Alert("../../etc"), Alert("Checkout")));
        foreach (var (host, client) in Hosts())
        {
            var answer = await PostAsync(client, "/alertmanager", body);

            Assert.True(answer.Status == 400, $"{host}: {answer.Status} {answer.Body}");
            Assert.Equal("application/problem+json", answer.ContentType);
            using var json = JsonDocument.Parse(answer.Body);
            Assert.Equal(2, json.RootElement.GetProperty("rejected").GetArrayLength());
            Assert.Equal("alerts[0].labels.workload", json.RootElement.GetProperty("field").GetString());
        }
        Assert.Empty(_actors!.Published.Payloads);
    }

    [Theory]
    [InlineData("{\"version\":\"4\",\"version\":\"4\",\"alerts\":[]}")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"namespace\":\"shop\",\"workload\":\"checkout\"},\"startsAt\":\"2026-11-29T09:58:00Z\"}]}")]
    [InlineData("{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"namespace\":\"shop\",\"workload\":\"checkout\",\"workload\":\"checkout\"},\"startsAt\":\"2026-11-29T09:58:00Z\"}]}")]
    public async Task A_repeated_key_is_refused_wherever_it_is(string body)
    {
        foreach (var (host, client) in Hosts())
        {
            var answer = await PostAsync(client, "/alertmanager", Encoding.UTF8.GetBytes(body));
            Assert.True(answer.Status == 400, $"{host}: {answer.Status} {answer.Body}");
            Assert.Contains("repeats a property name", answer.Body);
        }
    }

    [Fact]
    public async Task A_seeded_fuzz_of_five_thousand_mutations_never_gets_a_5xx_from_either_host()
    {
        var random = new Random(FuzzSeed);
        var seeds = new[]
        {
            Encoding.UTF8.GetBytes(Webhook(Alert("checkout"))),
            Encoding.UTF8.GetBytes(Webhook(Alert("checkout"), Alert("cart"), Alert("../../etc"))),
            Encoding.UTF8.GetBytes("{\"approved\":true,\"approver\":\"alice\",\"reason\":\"ok\"}"),
        };
        var mutations = Enumerable.Range(0, FuzzMutations).Select(i =>
        {
            var seed = seeds[random.Next(seeds.Length)];
            return (Path: seed == seeds[2] ? "/guardrail/shop/checkout/approvals/change-1" : "/alertmanager", Body: Mutator.Mutate(seed, random));
        }).ToList();
        var accepted = new ConcurrentBag<string>();

        foreach (var (host, client) in Hosts())
        {
            var failures = new ConcurrentQueue<string>();
            await Parallel.ForEachAsync(mutations.Select((m, i) => (m, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, ct) =>
            {
                var answer = await PostAsync(client, item.m.Path, item.m.Body);
                if (answer.Status >= 500 || answer.Status < 200)
                    failures.Enqueue($"mutation {item.i} on {host}: {answer.Status} {answer.Body} for {item.m.Path} {Encoding.UTF8.GetString(item.m.Body)}");
                else if (answer.Status >= 400 && answer.ContentType != "application/problem+json")
                    failures.Enqueue($"mutation {item.i} on {host}: {answer.Status} as {answer.ContentType}");
                else if (answer.Status is >= 200 and < 300 && item.m.Path == "/alertmanager")
                    accepted.Add(Encoding.UTF8.GetString(item.m.Body));
            });
            Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        }

        // Nothing unmappable was published: every alert on the topic names a valid workload.
        var resolver = new WorkloadKeyResolver();
        foreach (var payload in _actors!.Published.Payloads)
        {
            var parsed = AlertPayloadParser.ParseWebhook(payload);
            Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
            Assert.All(parsed.Value!.Alerts, a => Assert.True(resolver.TryResolve(a, out _), string.Join(",", a.Labels)));
        }
        // The stand-alone host opened incidents only for workloads an accepted payload named.
        var workloads = accepted.SelectMany(b => AlertPayloadParser.ParseWebhook(Encoding.UTF8.GetBytes(b)).Value?.Alerts ?? [])
            .Select(a => resolver.TryResolve(a, out var key) ? key.ToString() : null).OfType<string>().ToHashSet();
        var incidents = await _standalone!.Journal.ListAsync(new IncidentQuery(Limit: 1000), default);
        Assert.All(incidents, i => Assert.Contains(i.Workload, workloads));
    }

    [Fact]
    public async Task Parallel_oversized_posts_are_413_problems_and_managed_memory_stays_bounded()
    {
        const int posts = 32;
        const long size = 29L * 1024 * 1024;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(5);
            }
        });

        var statuses = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, posts), new ParallelOptions { MaxDegreeOfParallelism = posts }, async (i, ct) =>
        {
            // Half declare their length and wait for "100 Continue" (refused before a byte is sent), half are chunked
            // (refused at the limit, the connection closed under the rest).
            using var request = new HttpRequestMessage(HttpMethod.Post, "/alertmanager") { Content = new GeneratedContent(size, declareLength: i % 2 == 0) };
            request.Headers.ExpectContinue = i % 2 == 0;
            try
            {
                using var response = await _standaloneClient.SendAsync(request, ct);
                statuses.Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
            catch (HttpRequestException)
            {
                // The server answered and closed the connection before the client finished sending: refused, not read.
                statuses.Add("closed");
            }
        });
        await sampling.CancelAsync();
        await sampler;
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.All(statuses, s => Assert.True(s is "413 application/problem+json" or "closed", s));
        Assert.Contains("413 application/problem+json", statuses);
        // 32 × 29 MB = 928 MB were offered; at most the 1 MiB limit per request may be held, plus the server's buffers.
        Assert.True(peak - before < 200L * 1024 * 1024, $"managed heap grew by {(peak - before) / 1024 / 1024} MB during the posts");
        Assert.True(after - before < 64L * 1024 * 1024, $"managed heap kept {(after - before) / 1024 / 1024} MB after the posts");

        // A 5 MB body is refused with problem details by both hosts.
        foreach (var (host, client) in Hosts())
        {
            var answer = await PostAsync(client, "/alertmanager", new byte[5 * 1024 * 1024], expectContinue: true);
            Assert.True(answer.Status == 413, $"{host}: {answer.Status}");
            Assert.Equal("application/problem+json", answer.ContentType);
        }
    }

    private async Task AssertNoIncidentAsync()
    {
        var incidents = await _standalone!.Journal.ListAsync(new IncidentQuery(Limit: 10), default);
        Assert.Empty(incidents);
    }

    private IEnumerable<(string Host, HttpClient Client)> Hosts() => [("actors", _actorsClient!), ("standalone", _standaloneClient)];

    private sealed record Answer(int Status, string? ContentType, string Body);

    private static async Task<Answer> PostAsync(HttpClient client, string path, byte[] body, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = expectContinue;
        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    private static string Alert(string workload, string ns = "shop") => JsonSerializer.Serialize(new
    {
        status = "firing",
        labels = new Dictionary<string, string> { ["alertname"] = "CanaryHighErrorRate", ["namespace"] = ns, ["workload"] = workload },
        annotations = new { summary = "5xx ratio 0.4" },
        startsAt = "2026-11-29T09:58:00Z",
        endsAt = "0001-01-01T00:00:00Z",
        generatorURL = "",
    });

    private static string Webhook(params string[] alerts) =>
        $$"""{"receiver":"autopilot","status":"firing","version":"4","groupKey":"{}:{alertname=\"CanaryHighErrorRate\"}","truncatedAlerts":0,"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://alertmanager","alerts":[{{string.Join(",", alerts)}}]}""";

    /// <summary>A body of <c>size</c> spaces written 64 KiB at a time, never held whole.</summary>
    private sealed class GeneratedContent(long size, bool declareLength) : HttpContent
    {
        private static readonly byte[] Chunk = Enumerable.Repeat((byte)' ', 64 * 1024).ToArray();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (long sent = 0; sent < size; sent += Chunk.Length)
                await stream.WriteAsync(Chunk.AsMemory(0, (int)Math.Min(Chunk.Length, size - sent)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return declareLength;
        }
    }

    /// <summary>The actors app as its Program builds it, its topic recorded and its journal in memory.</summary>
    private sealed class ActorsApp(string content) : WebApplicationFactory<actors::Program>
    {
        public RecordingPublisher Published { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Directory.CreateDirectory(content);
            builder.UseEnvironment("Production");
            foreach (var (key, value) in Autopilot.Testing.AppSettings.Actors(content)) builder.UseSetting(key, value);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<IAlertPublisher>(Published);
                services.AddSingleton<IGuardrailGateway, NoChangesGuardrail>();
                services.AddSingleton<IIncidentJournal>(new Standalone.InProcessRuntime.FileIncidentJournal(
                    new Standalone.InProcessRuntime.StateDirectory(Path.Combine(content, "journal"))));
            });
        }
    }

    /// <summary>A guardrail that has seen no change (the GuardrailActor needs a sidecar), as the stand-alone host's has not.</summary>
    private sealed class NoChangesGuardrail : IGuardrailGateway
    {
        public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<Remediation.Routing.RouteState> ReadRouteAsync(Remediation.Routing.RouteRef route, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision?> GetDecisionAsync(Remediation.Routing.RouteRef route, string changeId, CancellationToken ct) => Task.FromResult<GuardrailDecision?>(null);
        public Task<GuardrailDecision?> AnswerApprovalAsync(Remediation.Routing.RouteRef route, ApprovalAnswer answer, CancellationToken ct) => Task.FromResult<GuardrailDecision?>(null);
    }

    private sealed class RecordingPublisher : IAlertPublisher
    {
        public ConcurrentQueue<byte[]> Payloads { get; } = new();

        public int Count => Payloads.Count;

        public Task PublishAsync(ReadOnlyMemory<byte> payload, CancellationToken ct)
        {
            Payloads.Enqueue(payload.ToArray());
            return Task.CompletedTask;
        }
    }
}

[CollectionDefinition(BadInputTests.Name, DisableParallelization = true)]
public sealed class BadInputCollection;
