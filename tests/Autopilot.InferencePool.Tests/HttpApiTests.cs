using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Client.Http;
using Autopilot.InferencePool.Client.SemanticKernel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.InferencePool.Tests;

public sealed class HttpApiTests
{
    private static readonly object Body = new
    {
        messages = new[] { new { role = "system", content = "You are Autopilot." }, new { role = "user", content = "checkout-v2 fails" } },
        maxTokens = 6,
        seed = 1,
    };

    [Fact]
    public async Task Full_queue_answers_429_with_retry_after_over_http()
    {
        await using var server = await PoolServer.StartAsync("MaxConcurrentSessions=1", "QueueLimit=1", "QueueTimeoutSeconds=60");
        using var http = server.Client();

        using var first = await http.PostAsync("sessions", null);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var queued = http.PostAsync("sessions", null); // waits in the queue
        await WaitUntilAsync(async () => (await http.GetFromJsonAsync<PoolStatus>("pool"))!.Queued == 1);

        using var refused = await http.PostAsync("sessions", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        var lease = (await first.Content.ReadFromJsonAsync<SessionLease>())!;
        using var returned = await http.DeleteAsync($"sessions/{lease.LeaseId}");
        Assert.Equal(HttpStatusCode.NoContent, returned.StatusCode);
        using var granted = await queued;
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
    }

    [Fact]
    public async Task Lease_lifecycle_and_errors_over_http()
    {
        await using var server = await PoolServer.StartAsync();
        using var actors = server.Client("actors");
        using var intruder = server.Client("intruder");
        using var anonymous = server.Client(caller: null);

        Assert.Equal(HttpStatusCode.OK, (await actors.GetAsync("readyz")).StatusCode);
        using var noCaller = await anonymous.PostAsync("sessions", null);
        Assert.Equal(HttpStatusCode.BadRequest, noCaller.StatusCode);

        var lease = (await (await actors.PostAsync("sessions", null)).Content.ReadFromJsonAsync<SessionLease>())!;
        Assert.Equal(60, lease.TtlSeconds);

        using var stolen = await intruder.PostAsJsonAsync($"sessions/{lease.LeaseId}/completions", Body);
        Assert.Equal(HttpStatusCode.Forbidden, stolen.StatusCode);

        using var bad = await actors.PostAsJsonAsync($"sessions/{lease.LeaseId}/completions", new { messages = Array.Empty<object>(), maxTokens = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Equal("maxTokens", problem.RootElement.GetProperty("field").GetString());

        using var ok = await actors.PostAsJsonAsync($"sessions/{lease.LeaseId}/completions", Body);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var result = (await ok.Content.ReadFromJsonAsync<CompletionResult>())!;
        Assert.Equal(6, result.CompletionTokens);

        Assert.Equal(HttpStatusCode.Forbidden, (await intruder.DeleteAsync($"sessions/{lease.LeaseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await actors.DeleteAsync($"sessions/{lease.LeaseId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await actors.PostAsJsonAsync($"sessions/{lease.LeaseId}/completions", Body)).StatusCode);

        var metrics = await actors.GetStringAsync("metrics");
        Assert.Contains("autopilot_pool_tokens_generated", metrics);
    }

    [Fact]
    public async Task Semantic_kernel_service_gets_a_grammar_constrained_proposal_over_http()
    {
        await using var server = await PoolServer.StartAsync();
        using var http = server.Client(caller: null);
        IChatCompletionService chat = new InferencePoolChatCompletionService(new HttpInferencePool(http, "autopilot-actors"));
        var history = new ChatHistory("You are Autopilot. Answer with one JSON proposal.");
        history.AddUserMessage("CanaryHighErrorRate on shop/checkout: checkout-v2 5xx ratio 0.31");
        var settings = new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                [PoolExecutionSettings.Grammar] = ProposalGrammar.Gbnf,
                [PoolExecutionSettings.MaxTokens] = 200,
                [PoolExecutionSettings.Temperature] = 0.9,
                [PoolExecutionSettings.Seed] = 11,
                [PoolExecutionSettings.DeadlineMs] = 60_000,
            },
        };

        var reply = await chat.GetChatMessageContentAsync(history, settings);

        using var proposal = JsonDocument.Parse(reply.Content!);
        Assert.Contains(proposal.RootElement.GetProperty("action").GetString(), ProposalGrammar.Actions);
        Assert.Equal(FinishReasons.Stop, reply.Metadata!["finish_reason"]);
        // The service returned its lease: the pool has none out.
        using var status = server.Client(caller: null);
        Assert.Equal(0, (await status.GetFromJsonAsync<PoolStatus>("pool"))!.ActiveLeases);
    }

    [Fact]
    public async Task Http_client_maps_refusals_to_typed_exceptions()
    {
        await using var server = await PoolServer.StartAsync("MaxConcurrentSessions=1", "QueueLimit=0");
        using var http = server.Client(caller: null);
        var actors = new HttpInferencePool(http, "actors");
        var other = new HttpInferencePool(http, "other");

        var lease = await actors.LeaseAsync();
        var busy = await Assert.ThrowsAsync<PoolBusyException>(() => other.LeaseAsync());
        Assert.True(busy.RetryAfter >= TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<LeaseOwnershipException>(() => other.CompleteAsync(lease.LeaseId, GenerationTests.Request("x")));
        var invalid = await Assert.ThrowsAsync<PoolRequestException>(() =>
            actors.CompleteAsync(lease.LeaseId, GenerationTests.Request("x") with { Grammar = "root ::= nothing\n" }));
        Assert.Equal("grammar", invalid.Field);
        await actors.ReleaseAsync(lease.LeaseId);
        await actors.ReleaseAsync(lease.LeaseId); // returning twice is harmless
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => actors.CompleteAsync(lease.LeaseId, GenerationTests.Request("x")));
    }

    [Fact]
    public async Task Lease_request_with_a_max_wait_is_refused_after_it_and_bad_values_name_the_parameter()
    {
        await using var server = await PoolServer.StartAsync("MaxConcurrentSessions=1", "QueueLimit=4", "QueueTimeoutSeconds=600");
        using var http = server.Client(caller: null);
        var actors = new HttpInferencePool(http, "actors");
        var other = new HttpInferencePool(http, "other");
        var lease = await actors.LeaseAsync();

        var busy = await Assert.ThrowsAsync<PoolBusyException>(() => other.LeaseAsync(TimeSpan.FromMilliseconds(100)));
        Assert.Contains("100 ms", busy.Message);
        await Assert.ThrowsAsync<PoolBusyException>(() => other.LeaseAsync(TimeSpan.Zero));
        Assert.Equal(0, (await http.GetFromJsonAsync<PoolStatus>("pool"))!.Queued);

        using var client = server.Client("other");
        foreach (var bad in new[] { "-1", "soon", "3600001", "1.5" })
        {
            using var response = await client.PostAsync($"sessions?{PoolHeaders.MaxWaitQuery}={bad}", null);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(PoolHeaders.MaxWaitQuery, problem.RootElement.GetProperty("field").GetString());
        }

        await actors.ReleaseAsync(lease.LeaseId);
        var granted = await other.LeaseAsync(TimeSpan.Zero); // a free session needs no wait
        await other.ReleaseAsync(granted.LeaseId);
    }

    [Fact]
    public async Task Semantic_kernel_service_gives_up_when_no_session_frees_within_its_lease_wait()
    {
        await using var server = await PoolServer.StartAsync("MaxConcurrentSessions=1", "QueueLimit=4", "QueueTimeoutSeconds=600");
        using var http = server.Client(caller: null);
        var holder = new HttpInferencePool(http, "holder");
        var lease = await holder.LeaseAsync();
        IChatCompletionService chat = new InferencePoolChatCompletionService(new HttpInferencePool(http, "autopilot-actors"));
        var history = new ChatHistory("You are Autopilot.");
        history.AddUserMessage("checkout-v2 fails");
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [PoolExecutionSettings.LeaseWaitMs] = 200 } };

        var busy = await Assert.ThrowsAsync<PoolBusyException>(() => chat.GetChatMessageContentAsync(history, settings));
        Assert.Contains("200 ms", busy.Message);
        var negative = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [PoolExecutionSettings.LeaseWaitMs] = -5 } };
        var invalid = await Assert.ThrowsAsync<PoolRequestException>(() => chat.GetChatMessageContentAsync(history, negative));
        Assert.Equal(PoolExecutionSettings.LeaseWaitMs, invalid.Field);
        await holder.ReleaseAsync(lease.LeaseId);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++) await Task.Delay(25);
    }
}
