// Over 300 lines: one decode loop owns the native batch, the prefix cache and every session's sampler; splitting it would
// spread state that must change together inside one step.
using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Telemetry;
using LLama;
using LLama.Abstractions;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Decoding;

/// <summary>
/// Decodes every running completion together: one BatchedExecutor (one KV cache, one copy of the weights), one
/// Conversation per completion, and a single loop that, per step, runs one batched decode for all of them and then
/// samples one token for each. A shared prefix is evaluated once into its own conversation and forked (KV cells shared,
/// not copied) for each completion that starts with it. All native calls happen on the loop, so nothing here needs locks.
/// </summary>
public sealed class BatchScheduler : IAsyncDisposable
{
    private sealed class Job(GenerationRequest request, StreamingTokenDecoder decoder)
    {
        public GenerationRequest Request { get; } = request;
        public TaskCompletionSource<CompletionResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public StreamingTokenDecoder Decoder { get; } = decoder;
        public StringBuilder Text { get; } = new();
        public Conversation? Conversation { get; set; }
        public DefaultSamplingPipeline? Sampler { get; set; }
        public GrammarLookahead? Lookahead { get; set; }
        public PrefixEntry? WaitingFor { get; set; }
        public int Generated { get; set; }
        public int PromptEvaluated { get; set; }
        public int PrefixReused { get; set; }
        public long StartedAt { get; } = Stopwatch.GetTimestamp();
    }

    private sealed class PrefixEntry(string text, int tokenCount, Conversation conversation)
    {
        public string Text { get; } = text;
        public int TokenCount { get; } = tokenCount;
        public Conversation Conversation { get; } = conversation;
        public bool Ready { get; set; }
        public List<Job> Waiting { get; } = [];
        public long LastUsed { get; set; }

        /// <summary>Evaluated for one job only (prefix reuse off): the job continues on this conversation itself.</summary>
        public bool Private { get; init; }
    }

    private readonly LLamaWeights _weights;
    private readonly IContextParams _contextParams;
    private readonly bool _prefixReuse;
    private readonly GrammarLookahead.Alphabet? _alphabet;
    private readonly int _maxCachedPrefixes;
    private readonly int _prefixTokenBudget;
    private readonly PoolMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Job> _incoming = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Job> _active = [];
    private readonly Dictionary<string, PrefixEntry> _prefixes = new(StringComparer.Ordinal);
    private readonly List<PrefixEntry> _private = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private BatchedExecutor _executor;
    private long _useCounter;
    private int _disposed;

    /// <param name="prefixTokenBudget">KV cells the cached prefixes may hold together (least recently used are dropped).</param>
    /// <param name="jumpForward">Append the text a grammar forces without sampling it token by token.</param>
    public BatchScheduler(LLamaWeights weights, IContextParams contextParams, bool prefixReuse, int maxCachedPrefixes,
        int prefixTokenBudget, PoolMetrics metrics, ILogger logger, TimeProvider? time = null, bool jumpForward = false)
    {
        _weights = weights;
        _contextParams = contextParams;
        _prefixReuse = prefixReuse;
        _alphabet = jumpForward ? GrammarLookahead.Alphabet.For(weights) : null;
        if (jumpForward && _alphabet is null)
            logger.LogInformation("Jump-forward decoding is off for this model: its vocabulary lacks a token for some single character");
        _maxCachedPrefixes = maxCachedPrefixes;
        _prefixTokenBudget = prefixTokenBudget;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _executor = new BatchedExecutor(weights, contextParams);
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Generates one completion; cancelling <see cref="GenerationRequest.Cancellation"/> stops it and frees its KV cells.</summary>
    internal Task<CompletionResult> GenerateAsync(GenerationRequest request)
    {
        var job = new Job(request, new StreamingTokenDecoder(Encoding.UTF8, _weights));
        if (!_incoming.Writer.TryWrite(job))
            throw new PoolUnavailableException("The inference pool is shutting down.");
        return job.Done.Task;
    }

    private async Task RunAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                if (_active.Count == 0 && !await _incoming.Reader.WaitToReadAsync(_stopping.Token)) break;
                while (_incoming.Reader.TryRead(out var job)) TryAdmit(job);

                if (_executor.BatchedTokenCount > 0)
                {
                    var inFlight = _active.Count(j => j.Conversation is { RequiresInference: true });
                    var status = await _executor.Infer(CancellationToken.None);
                    if (status != DecodeResult.Ok)
                    {
                        Reset(new PoolUnavailableException($"The model failed to decode a batch ({status}); running completions were stopped."));
                        continue;
                    }
                    _metrics.BatchStep(inFlight);
                }

                ForkReadyPrefixes();
                SampleOneTokenEach();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "The decode loop failed; stopping every running completion and starting a fresh context");
                Reset(new PoolUnavailableException("The inference pool hit an internal error; try again.", e));
            }
        }
        Reset(new PoolUnavailableException("The inference pool is shutting down."));
    }

    /// <summary>A request that cannot start fails alone; the sessions already running carry on.</summary>
    private void TryAdmit(Job job)
    {
        try
        {
            Admit(job);
        }
        catch (Exception e) when (job.Conversation is null or { RequiresInference: false })
        {
            _logger.LogError(e, "A completion could not start");
            _active.Remove(job);
            job.WaitingFor?.Waiting.Remove(job);
            job.Conversation?.Dispose();
            job.Sampler?.Dispose();
            job.Lookahead?.Dispose();
            job.Done.TrySetException(new PoolUnavailableException($"The completion could not start: {e.Message}", e));
        }
    }

    private void Admit(Job job)
    {
        var request = job.Request;
        if (request.Cancellation.IsCancellationRequested)
        {
            job.Done.TrySetCanceled(request.Cancellation);
            return;
        }
        job.Sampler = new DefaultSamplingPipeline
        {
            Temperature = request.Temperature,
            Seed = request.Seed,
            Grammar = request.Grammar is null ? null : new Grammar(request.Grammar, "root"),
        };
        job.Lookahead = request.Grammar is null ? null : GrammarLookahead.Create(_weights, _alphabet, request.Grammar);
        _active.Add(job);

        if (request.PrefixTokens.Length == 0)
        {
            Continue(job, _executor.Create());
            return;
        }
        var cached = _prefixes.TryGetValue(request.PrefixKey, out var entry);
        if (!_prefixReuse || (!cached && !MakeRoomForPrefix(request.PrefixTokens.Length)))
        {
            // Evaluated exactly as a shared prefix is (prefix, then suffix), only privately, so that turning reuse
            // on or off changes the cost and never the output.
            var conversation = _executor.Create();
            conversation.Prompt(request.PrefixTokens.AsSpan());
            var own = new PrefixEntry(request.PrefixKey, request.PrefixTokens.Length, conversation) { Private = true };
            own.Waiting.Add(job);
            job.WaitingFor = own;
            job.PromptEvaluated = own.TokenCount;
            _metrics.PromptEvaluated(own.TokenCount);
            _private.Add(own);
            return;
        }

        if (cached)
        {
            _metrics.PrefixLookup(hit: true);
            job.PrefixReused = entry!.TokenCount;
        }
        else
        {
            _metrics.PrefixLookup(hit: false);
            var conversation = _executor.Create();
            conversation.Prompt(request.PrefixTokens.AsSpan());
            entry = new PrefixEntry(request.PrefixKey, request.PrefixTokens.Length, conversation);
            _prefixes.Add(entry.Text, entry);
            // The first session pays for evaluating the prefix; the ones after it reuse it.
            job.PromptEvaluated = entry.TokenCount;
            _metrics.PromptEvaluated(entry.TokenCount);
        }
        entry!.LastUsed = ++_useCounter;
        entry.Waiting.Add(job);
        job.WaitingFor = entry;
    }

    /// <summary>
    /// Drops least recently used idle prefixes until one of <paramref name="tokens"/> fits; false when it cannot
    /// (too long, or every cached prefix is still being evaluated): that request then evaluates its prefix privately.
    /// </summary>
    private bool MakeRoomForPrefix(int tokens)
    {
        if (tokens > _prefixTokenBudget) return false;
        // Only idle, evaluated prefixes can go; forks already made keep their own references to the shared cells.
        while (_prefixes.Count >= _maxCachedPrefixes || _prefixes.Values.Sum(p => p.TokenCount) + tokens > _prefixTokenBudget)
        {
            var victim = _prefixes.Values.Where(p => p.Ready && p.Waiting.Count == 0).MinBy(p => p.LastUsed);
            if (victim is null) return false;
            _prefixes.Remove(victim.Text);
            victim.Conversation.Dispose();
        }
        return true;
    }

    private void ForkReadyPrefixes()
    {
        foreach (var entry in _prefixes.Values)
        {
            if (entry.Conversation.RequiresInference) continue;
            entry.Ready = true;
            foreach (var job in entry.Waiting)
            {
                job.WaitingFor = null;
                if (job.Request.Cancellation.IsCancellationRequested) continue; // finished by the sampling pass
                Continue(job, entry.Conversation.Fork());
                if (job.PrefixReused > 0) _metrics.PrefixReused(job.PrefixReused);
            }
            entry.Waiting.Clear();
        }

        for (var i = _private.Count - 1; i >= 0; i--)
        {
            var entry = _private[i];
            if (entry.Conversation.RequiresInference) continue;
            _private.RemoveAt(i);
            if (entry.Waiting is [var job])
            {
                job.WaitingFor = null;
                Continue(job, entry.Conversation);
            }
            else entry.Conversation.Dispose(); // its job was cancelled while the prefix was evaluated
        }
    }

    private void Continue(Job job, Conversation conversation)
    {
        conversation.Prompt(job.Request.SuffixTokens.AsSpan());
        job.Conversation = conversation;
        job.PromptEvaluated += job.Request.SuffixTokens.Length;
        _metrics.PromptEvaluated(job.Request.SuffixTokens.Length);
    }

    /// <summary>
    /// The tokens of the text the grammar forces next, already counted as output: added to the sampler's and the
    /// lookahead's grammar, the decoder and the text. Empty when the model has a choice or the cut would not fall on
    /// a token boundary the model itself would use. <paramref name="complete"/>: the answer is whole.
    /// </summary>
    private LLamaToken[] JumpForward(Job job, out bool complete)
    {
        complete = false;
        // Only after the first sampled token: the sampler builds its grammar then, and both grammars must agree.
        if (job.Lookahead is null || job.Generated == 0) return [];
        var room = job.Request.MaxTokens - job.Generated;
        var (forced, stop) = job.Lookahead.Forced(maxChars: 256);
        var text = ForcedText.Appendable(job.Text, forced, whole: stop == GrammarLookahead.Stop.End);
        if (text.Length == 0) return [];
        var tokens = _weights.Tokenize(text, false, false, Encoding.UTF8);
        // SentencePiece vocabularies may start the text with a word-start marker of their own: drop it when it stands alone.
        if (tokens.Length > 1 && Piece(tokens[0]) == " " && !text.StartsWith(' ')) tokens = tokens[1..];
        // A round trip that changes the text, tokens the grammar would not take as they are, or an answer that would
        // pass its token budget: left to the model.
        if (tokens.Length == 0 || tokens.Length > room - 1 || string.Concat(tokens.Select(Piece)) != text || !job.Lookahead.Admits(tokens))
            return [];
        foreach (var token in tokens)
        {
            job.Sampler!.Accept(token);
            job.Lookahead.Accept(token);
            job.Decoder.Add(token);
        }
        job.Text.Append(job.Decoder.Read());
        job.Generated += tokens.Length;
        _metrics.Forced(tokens.Length);
        complete = stop == GrammarLookahead.Stop.End && text.Length == forced.Length;
        return tokens;
    }

    private string Piece(LLamaToken token) => _weights.Vocab.LLamaTokenToString(token, false) ?? "";

    private void SampleOneTokenEach()
    {
        var now = _time.GetUtcNow();
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var job = _active[i];
            var conversation = job.Conversation;
            // Tokens already queued for decoding must be decoded before the conversation can be dropped.
            if (conversation is { RequiresInference: true }) continue;
            if (job.Request.Cancellation.IsCancellationRequested)
            {
                Finish(i, cancelled: true);
                continue;
            }
            if (conversation is null) continue; // waiting for its prefix
            if (now >= job.Request.Deadline)
            {
                Finish(i, FinishReasons.Deadline);
                continue;
            }

            var token = job.Sampler!.Sample(_executor.Context.NativeHandle, conversation.GetSampleIndex());
            if (token.IsEndOfGeneration(_weights.Vocab))
            {
                Finish(i, FinishReasons.Stop);
                continue;
            }
            job.Decoder.Add(token);
            job.Text.Append(job.Decoder.Read());
            job.Generated++;
            job.Lookahead?.Accept(token);
            if (job.Generated >= job.Request.MaxTokens)
            {
                Finish(i, FinishReasons.Length);
                continue;
            }
            var forced = JumpForward(job, out var complete);
            if (complete)
            {
                // Nothing but the end of the answer can follow: no need to read the forced text into the model.
                Finish(i, FinishReasons.Stop);
                continue;
            }
            if (forced.Length == 0) conversation.Prompt(token);
            else conversation.Prompt((ReadOnlySpan<LLamaToken>)[token, .. forced]);
        }
    }

    private void Finish(int index, string? reason = null, bool cancelled = false)
    {
        var job = _active[index];
        _active.RemoveAt(index);
        job.WaitingFor?.Waiting.Remove(job);
        job.Conversation?.Dispose();
        job.Sampler?.Dispose();
        job.Lookahead?.Dispose();
        var elapsed = Stopwatch.GetElapsedTime(job.StartedAt);
        _metrics.Generated(job.Generated, elapsed);
        if (cancelled)
        {
            job.Done.TrySetCanceled(job.Request.Cancellation);
            return;
        }
        job.Done.TrySetResult(new CompletionResult(job.Text.ToString(), reason!, job.Request.PrefixTokens.Length + job.Request.SuffixTokens.Length,
            job.PrefixReused, job.Generated));
    }

    /// <summary>Fails every running completion and starts over with a fresh context (after a decode failure or at shutdown).</summary>
    private void Reset(Exception error)
    {
        foreach (var job in _active)
        {
            job.Sampler?.Dispose();
            job.Lookahead?.Dispose();
            job.Done.TrySetException(error);
        }
        _active.Clear();
        while (_incoming.Reader.TryRead(out var queued)) queued.Done.TrySetException(error);
        _prefixes.Clear();
        _private.Clear();
        _executor.Dispose();
        if (!_stopping.IsCancellationRequested) _executor = new BatchedExecutor(_weights, _contextParams);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _incoming.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }
}
