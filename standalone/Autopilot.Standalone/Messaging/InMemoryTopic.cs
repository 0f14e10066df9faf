using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Autopilot.Standalone.Messaging;

/// <summary>What a subscriber answers for one delivery, as a Dapr app answers a pub/sub delivery.</summary>
public enum DeliveryResult
{
    /// <summary>Processed; the message is done.</summary>
    Success,

    /// <summary>Transient failure; deliver again after a backoff (Dapr "RETRY").</summary>
    Retry,

    /// <summary>Malformed or unprocessable; do not deliver again (Dapr "DROP"), it goes to the dead-letter topic.</summary>
    Drop,
}

/// <summary>Delivery settings of a topic: Dapr resiliency's retry policy and the dead-letter topic, in-process.</summary>
public sealed class TopicOptions
{
    /// <summary>Deliveries before a message that keeps failing is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 5;

    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages delivered at the same time. Dapr delivers in parallel without a bound by default; a delivery
    /// waits for its incident's turn (which may be planning with the model), so a small bound would queue every
    /// other workload's alerts behind a few slow turns.</summary>
    public int Concurrency { get; set; } = 512;

    /// <summary>Published messages that may wait; publishing waits while the topic is full (back-pressure).</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>Dead letters kept in <see cref="InMemoryTopic{T}.DeadLetters"/>; older ones are let go (and counted) so a
    /// stream of bad messages cannot fill the memory. The host persists every letter through the sink as well.</summary>
    public int MaxDeadLetters { get; set; } = 1000;
}

/// <summary>A message that was dead-lettered, with why.</summary>
public sealed record DeadLetter<T>(T Message, int Attempts, string Reason, DateTimeOffset At);

/// <summary>
/// An in-memory topic with the delivery semantics of Dapr pub/sub: at-least-once delivery to one subscriber,
/// exceptions and <see cref="DeliveryResult.Retry"/> redelivered with exponential backoff, and after
/// <see cref="TopicOptions.MaxAttempts"/> (or on <see cref="DeliveryResult.Drop"/>) the message moves to the
/// dead-letter list (bounded) and to <see cref="DeadLetterSink"/>, where the host keeps them on disk. Not durable: like
/// Dapr's in-memory component, messages in flight die with the process.
/// </summary>
public sealed class InMemoryTopic<T> : IAsyncDisposable
{
    private readonly Channel<Envelope> _queue;
    private readonly TopicOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<DeadLetter<T>> _deadLetters = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _workers = [];
    private int _inFlight;
    private long _delivered;
    private long _deadLettered;

    public InMemoryTopic(string name, TopicOptions options, TimeProvider time, ILogger logger)
    {
        Name = name;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(options.Capacity) { FullMode = BoundedChannelFullMode.Wait });
    }

    public string Name { get; }

    public IReadOnlyList<DeadLetter<T>> DeadLetters
    {
        get
        {
            lock (_deadLetters) return [.. _deadLetters];
        }
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Every message dead-lettered since start, including those no longer in <see cref="DeadLetters"/>.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLettered);

    /// <summary>Where each dead letter is kept beyond this process (the host's dead-letter store); a failing sink is
    /// logged and the letter stays in <see cref="DeadLetters"/>.</summary>
    public Func<DeadLetter<T>, CancellationToken, Task>? DeadLetterSink { get; set; }

    /// <summary>Messages published and not yet delivered successfully or dead-lettered.</summary>
    public int Pending => Volatile.Read(ref _inFlight);

    public event Action<DeadLetter<T>>? DeadLettered;

    public async ValueTask PublishAsync(T message, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _inFlight);
        await _queue.Writer.WriteAsync(new Envelope(message, 1), ct);
    }

    /// <summary>Starts delivering to the one subscriber of this topic.</summary>
    public void Subscribe(Func<T, CancellationToken, Task<DeliveryResult>> handler)
    {
        if (_workers.Count > 0) throw new InvalidOperationException($"Topic {Name} already has a subscriber.");
        for (var i = 0; i < _options.Concurrency; i++) _workers.Add(Task.Run(() => DeliverLoopAsync(handler)));
    }

    private async Task DeliverLoopAsync(Func<T, CancellationToken, Task<DeliveryResult>> handler)
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var envelope in _queue.Reader.ReadAllAsync(ct))
            {
                DeliveryResult result;
                string reason;
                try
                {
                    result = await handler(envelope.Message, ct);
                    reason = result == DeliveryResult.Drop ? "the subscriber dropped it" : "the subscriber asked for a retry";
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    return; // stopping: the message dies with the process, as with Dapr's in-memory component
                }
                catch (Exception e)
                {
                    result = DeliveryResult.Retry;
                    reason = $"{e.GetType().Name}: {e.Message}";
                    _logger.LogWarning(e, "Delivery {Attempt} on topic {Topic} failed", envelope.Attempt, Name);
                }

                if (result == DeliveryResult.Success)
                {
                    Interlocked.Increment(ref _delivered);
                    Interlocked.Decrement(ref _inFlight);
                }
                else if (result == DeliveryResult.Drop || envelope.Attempt >= _options.MaxAttempts)
                {
                    await DeadLetterAsync(envelope, reason);
                }
                else
                {
                    _ = RedeliverLaterAsync(envelope with { Attempt = envelope.Attempt + 1 }, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task RedeliverLaterAsync(Envelope envelope, CancellationToken ct)
    {
        try
        {
            await Task.Delay(Backoff(envelope.Attempt - 1), _time, ct);
            await _queue.Writer.WriteAsync(envelope, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Exponential: initial × 2^(attempt-1), capped.</summary>
    public TimeSpan Backoff(int failedAttempts)
    {
        var factor = Math.Pow(2, Math.Max(0, failedAttempts - 1));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks));
        return delay;
    }

    private async Task DeadLetterAsync(Envelope envelope, string reason)
    {
        var letter = new DeadLetter<T>(envelope.Message, envelope.Attempt, reason, _time.GetUtcNow());
        lock (_deadLetters)
        {
            _deadLetters.Enqueue(letter);
            while (_deadLetters.Count > _options.MaxDeadLetters) _deadLetters.Dequeue();
        }
        Interlocked.Increment(ref _deadLettered);
        _logger.LogError("Message on topic {Topic} dead-lettered after {Attempts} attempt(s): {Reason}", Name, envelope.Attempt, reason);
        if (DeadLetterSink is { } sink)
        {
            try
            {
                await sink(letter, _stopping.Token);
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                _logger.LogError(e, "Could not store a dead letter of topic {Topic}; it is kept in memory only", Name);
            }
        }
        Interlocked.Decrement(ref _inFlight);
        DeadLettered?.Invoke(letter);
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        _stopping.Dispose();
    }

    private sealed record Envelope(T Message, int Attempt);
}
