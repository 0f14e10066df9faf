using System.Diagnostics;
using Autopilot.Incidents.Ports;
using Autopilot.InferencePool.Client;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.Incidents.Planning;

/// <summary>What the planner is asked: the facts, the SOP that matched best, and the route the proposal may touch
/// (null when the route could not be read: then only non-traffic actions are possible).</summary>
public sealed record PlanRequest(string IncidentId, string FactText, SopMatch? Sop, ProposalContext? Context, IReadOnlyList<Alert> Alerts)
{
    /// <summary>The backends the fact sheet puts out of bounds, with their signals ("err>5%"): a reason may blame only
    /// these of the route's backends, and says for what.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OutOfBounds { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

public sealed record PlanOutcome(Proposal Proposal, ProposalSource Source, PlanRecord Record);

/// <summary>
/// Asks the model for ONE proposal through Semantic Kernel (the chat completion service registered in the
/// kernel, normally the inference pool), constrained by a grammar built from the SOP's allowed actions, then
/// parses it. Never throws for model trouble and never waits past its bounds (LeaseWaitMs for a free session,
/// DeadlineMs for the whole plan): a busy, unavailable, slow or invalid model falls back to the SOP's default action
/// when the SOP marks it safe, and escalates otherwise.
/// </summary>
public sealed class ProposalPlanner(Kernel kernel, IOptions<PlanningOptions> options, ILogger<ProposalPlanner> logger)
{
    /// <summary>With a derived deadline, how long to wait for a pool that does not answer at all (the pool's own
    /// default deadline cap is 60 s).</summary>
    private const int UnansweredPoolMs = 120_000;

    private readonly PlanningOptions _options = options.Value;
    private readonly PlanningPrompt _prompt = new(kernel, options.Value);

    public async Task<PlanOutcome> PlanAsync(PlanRequest request, CancellationToken ct)
    {
        if (request.Sop is not { } match)
            return Fallback(request, null, null, "no SOP matches these alerts", null);

        var allowed = PlanningPrompt.AllowedFor(request);
        if (allowed.Count == 0)
            return Fallback(request, null, null, $"route unknown and SOP {match.Sop.Id} allows no action that leaves traffic alone", null);
        var context = request.Context ?? new ProposalContext("", [], null);

        string raw;
        int? promptTokens = null, completionTokens = null;
        try
        {
            var prompt = await _prompt.RenderAsync(request, ct);
            var extension = new Dictionary<string, object>
            {
                [PoolExecutionSettings.Grammar] = prompt.Grammar,
                [PoolExecutionSettings.MaxTokens] = _options.MaxTokens > 0 ? _options.MaxTokens : prompt.LongestAnswer,
                [PoolExecutionSettings.LeaseWaitMs] = _options.LeaseWaitMs,
                [PoolExecutionSettings.Seed] = _options.Seed,
                [PoolExecutionSettings.Temperature] = _options.Temperature,
            };
            // Without a configured deadline the pool derives one from the model's measured speed and this prompt.
            if (_options.DeadlineMs > 0) extension[PoolExecutionSettings.DeadlineMs] = _options.DeadlineMs;
            var settings = new PromptExecutionSettings { ExtensionData = extension };
            var history = new ChatHistory(prompt.System);
            history.AddUserMessage(prompt.User);

            // The pool honours lease_wait_ms and deadline_ms itself; this bound covers a pool that does not answer at all.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromMilliseconds(_options.DeadlineMs > 0 ? _options.DeadlineMs + 2_000 : UnansweredPoolMs));
            var chat = kernel.GetRequiredService<IChatCompletionService>();
            var started = Stopwatch.GetTimestamp();
            var reply = await chat.GetChatMessageContentAsync(history, settings, kernel, deadline.Token);
            raw = reply.Content ?? "";
            promptTokens = reply.Metadata?.GetValueOrDefault("prompt_tokens") as int?;
            completionTokens = reply.Metadata?.GetValueOrDefault("completion_tokens") as int?;
            logger.LogInformation("Model answered for incident {IncidentId} in {ElapsedMs:0} ms ({Length} chars)",
                request.IncidentId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, raw.Length);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Model unavailable for incident {IncidentId}; falling back", request.IncidentId);
            return Fallback(request, allowed, null, $"model unavailable: {e.GetType().Name}: {e.Message}", null);
        }

        var parsed = ProposalParser.Parse(raw, allowed, context);
        if (parsed.IsSuccess)
            return new PlanOutcome(parsed.Proposal, ProposalSource.Model,
                new PlanRecord(ProposalSource.Model, match.Sop.Id, raw, null, null, _options.Seed, [.. allowed.Select(a => a.Action)])
                {
                    PromptTokens = promptTokens,
                    CompletionTokens = completionTokens,
                });

        logger.LogWarning("Model output for incident {IncidentId} rejected at {Field}: {Message}", request.IncidentId, parsed.Error.Field, parsed.Error.Message);
        var fallback = Fallback(request, allowed, raw, null, parsed.Error.ToString());
        return fallback with { Record = fallback.Record with { PromptTokens = promptTokens, CompletionTokens = completionTokens } };
    }

    private PlanOutcome Fallback(PlanRequest request, IReadOnlyList<AllowedAction>? allowed, string? raw, string? modelError, string? parseError)
    {
        var sop = request.Sop?.Sop;
        var why = modelError ?? $"model output invalid ({parseError})";
        var actions = allowed?.Select(a => a.Action).ToList() ?? [];
        if (sop is { DefaultActionSafe: true } && SopDefaults.TryCreate(sop, request.Context, request.Alerts, why, out var proposal))
        {
            return new PlanOutcome(proposal, ProposalSource.SopDefault,
                new PlanRecord(ProposalSource.SopDefault, sop.Id, raw, modelError, parseError, _options.Seed, actions));
        }

        var reason = sop is null
            ? why
            : $"{why}; SOP {sop.Id} default '{sop.DefaultAction}' is {(sop.DefaultActionSafe ? "not applicable to this route" : "not marked safe")}";
        return new PlanOutcome(new Escalate(Truncate(reason)), ProposalSource.Fallback,
            new PlanRecord(ProposalSource.Fallback, sop?.Id, raw, modelError, parseError, _options.Seed, actions));
    }

    internal static string Truncate(string text) =>
        text.Length <= ProposalLimits.MaxReasonLength ? text : text[..(ProposalLimits.MaxReasonLength - 1)] + "…";
}
