using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Autopilot.Testing;

/// <summary>
/// A webhook receiver on Kestrel at 127.0.0.1 on a free port, as Slack or any JSON webhook would be reached: it records
/// each POST (body and Idempotency-Key) and answers with the next scripted status, then 200 once the script runs out.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<HttpStatusCode> _answers;

    private WebhookReceiver(WebApplication app, IEnumerable<HttpStatusCode> answers)
    {
        _app = app;
        _answers = new ConcurrentQueue<HttpStatusCode>(answers);
    }

    public ConcurrentQueue<(string IdempotencyKey, JsonNode Body)> Received { get; } = new();

    public string Url => _app.Urls.Single() + "/hook/secret-path";

    /// <summary>Answers each request with the next of <paramref name="answers"/>; 200 after them.</summary>
    public static async Task<WebhookReceiver> StartAsync(params HttpStatusCode[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, answers);
        app.MapPost("/hook/secret-path", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body) ?? new JsonObject();
            receiver.Received.Enqueue((request.Headers["Idempotency-Key"].ToString(), body));
            return Results.StatusCode((int)(receiver._answers.TryDequeue(out var status) ? status : HttpStatusCode.OK));
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits (up to a minute of real time) until <paramref name="done"/> holds; the loop's work is async.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> done, string what, Action? meanwhile = null)
    {
        for (var i = 0; i < 600; i++)
        {
            if (await done()) return;
            meanwhile?.Invoke();
            await Task.Delay(100);
        }
        throw new TimeoutException($"timed out waiting until {what}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
