// Over 300 lines: apply, dry-run, undo and the route read share one approval, concurrency and audit path; splitting
// them would spread the order of checks (approval, precondition, patch, journal) that makes a change safe.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.GatewayBridge.Core.Journal;
using Autopilot.GatewayBridge.Core.Kubernetes;
using Autopilot.GatewayBridge.Core.Routes;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.GatewayBridge.Core.Changes;

/// <summary>
/// The bridge itself: verifies the guardrail's approval, re-checks the precondition against the live route, patches
/// it with optimistic concurrency, journals the previous weights on the route and undoes by change id. It implements
/// <see cref="IGatewayBridgeClient"/> so stand-alone mode can use it in-process; the HTTP host maps its
/// <see cref="GatewayBridgeException"/>s to problem details.
/// </summary>
public sealed class GatewayBridgeService(
    KubernetesRouteStore store,
    GatewayBridgeOptions options,
    ApprovalKey approvalKey,
    TimeProvider time,
    ILogger<GatewayBridgeService> logger) : IGatewayBridgeClient
{
    public const string LastChangeIdAnnotation = "autopilot.io/last-change-id";
    public const string LastIncidentIdAnnotation = "autopilot.io/last-incident-id";
    public const string LastReasonAnnotation = "autopilot.io/last-change-reason";
    public const string LastChangeAtAnnotation = "autopilot.io/last-change-at";

    /// <summary>Gateway API bounds for a backendRef weight.</summary>
    public const int MaxWeight = 1_000_000;

    /// <summary>
    /// A bridge without dependency injection (stand-alone mode, tests): validates <paramref name="options"/> as start-up
    /// would, connects KubernetesClient as configured and takes the key from <see cref="GatewayBridgeOptions.ApprovalSigningKey"/>.
    /// </summary>
    public static GatewayBridgeService Create(GatewayBridgeOptions options, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        if (options.Problems() is { Count: > 0 } problems)
            throw new Microsoft.Extensions.Options.OptionsValidationException(GatewayBridgeOptions.Section, typeof(GatewayBridgeOptions), problems);
        var store = new KubernetesRouteStore(KubernetesClientFactory.Create(options.Kubernetes), options.RateLimitPolicy);
        return new GatewayBridgeService(store, options, ApprovalKey.FromSecret(options.ApprovalSigningKey), time ?? TimeProvider.System,
            (loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<GatewayBridgeService>());
    }

    // Where each change id we have seen lives, so an undo without a route does not need a cluster-wide list.
    private readonly ConcurrentDictionary<string, RouteRef> _routeOfChange = new(StringComparer.Ordinal);

    public async Task<RouteState> GetRouteAsync(RouteRef route, CancellationToken cancellationToken = default)
    {
        try
        {
            return HttpRouteDocument.ToState(await store.GetRouteAsync(route, cancellationToken));
        }
        catch (KubernetesApiException e)
        {
            throw Translate(e, route);
        }
    }

    /// <summary>Routes in front of a workload: labelled with <see cref="GatewayBridgeOptions.WorkloadLabel"/> or named like it.</summary>
    public async Task<IReadOnlyList<RouteState>> ListRoutesForWorkloadAsync(WorkloadKey workload, CancellationToken cancellationToken = default)
    {
        try
        {
            var routes = await store.ListRoutesAsync(workload.Namespace, cancellationToken);
            return routes
                .Where(r => HttpRouteDocument.Labels(r).GetValueOrDefault(options.WorkloadLabel) == workload.Name
                            || r["metadata"]?["name"]?.GetValue<string>() == workload.Name)
                .Select(HttpRouteDocument.ToState)
                .ToList();
        }
        catch (KubernetesApiException e)
        {
            throw Translate(e, null);
        }
    }

    public Task<ChangeResult> ApplyAsync(RouteChange change, string approvalToken, CancellationToken cancellationToken = default) =>
        Traced("gateway-bridge apply-change", change?.ChangeId, activity => ApplyCoreAsync(change, approvalToken, activity, cancellationToken));

    public Task<ChangeResult> UndoAsync(UndoRequest request, string approvalToken, CancellationToken cancellationToken = default) =>
        Traced("gateway-bridge undo-change", request?.UndoChangeId, activity => UndoCoreAsync(request, approvalToken, activity, cancellationToken));

    /// <summary>One span per change or undo, its outcome as a tag and any refusal as the span's error status.</summary>
    private static async Task<ChangeResult> Traced(string name, string? changeId, Func<Activity?, Task<ChangeResult>> run)
    {
        using var activity = GatewayBridgeTelemetry.Source.StartActivity(name);
        activity?.SetTag("autopilot.change.id", changeId);
        try
        {
            var result = await run(activity);
            activity?.SetTag("autopilot.change.outcome", result.Outcome.ToString());
            return result;
        }
        catch (GatewayBridgeException e)
        {
            activity?.SetTag("autopilot.change.refused", e.StatusCode);
            activity?.SetStatus(ActivityStatusCode.Error, e.Title);
            throw;
        }
    }

    private async Task<ChangeResult> ApplyCoreAsync(RouteChange? change, string approvalToken, Activity? activity, CancellationToken cancellationToken)
    {
        try { ChangeValidation.Validate(change); }
        catch (GatewayBridgeException e) { throw Invalid(e); }
        activity?.SetTag("autopilot.incident.id", change.IncidentId);
        activity?.SetTag("autopilot.route", change.Route.ToString());
        activity?.SetTag("autopilot.change.kind", change.Kind.ToString());
        activity?.SetTag("autopilot.dry_run", change.DryRun);
        CheckApproval(ApprovalToken.Verify(approvalToken, change, time.GetUtcNow(), approvalKey.Bytes), approvalToken, change.ChangeId, change.Route);

        // The policy as it was before this change is read once, up front: a retry after a 409 must not mistake
        // the policy its own first attempt applied for the one to restore on undo.
        var policyBefore = change.Kind == ChangeKind.SetRateLimit ? await ReadPolicyAsync(change.Route, cancellationToken) : null;
        var result = await WithConflictRetries(change.Route, change.ChangeId, ct => ApplyOnce(change, policyBefore, ct), cancellationToken);
        if (result.Outcome == ChangeOutcome.Applied)
        {
            GatewayBridgeTelemetry.ChangesApplied.Add(1, new KeyValuePair<string, object?>("kind", change.Kind.ToString()));
            logger.LogInformation("Applied change {ChangeId} ({Kind}) for incident {IncidentId} to {Route}: {Weights}",
                change.ChangeId, change.Kind, change.IncidentId, change.Route, Format(result.Rules));
        }
        else
        {
            logger.LogInformation("Change {ChangeId} on {Route}: {Outcome}", change.ChangeId, change.Route, result.Outcome);
        }
        return result;
    }

    private async Task<ChangeResult> UndoCoreAsync(UndoRequest? request, string approvalToken, Activity? activity, CancellationToken cancellationToken)
    {
        try { ChangeValidation.Validate(request); }
        catch (GatewayBridgeException e) { throw Invalid(e); }
        activity?.SetTag("autopilot.undo_of", request.ChangeId);
        activity?.SetTag("autopilot.incident.id", request.IncidentId);
        CheckApproval(ApprovalToken.VerifyUndo(approvalToken, request, time.GetUtcNow(), approvalKey.Bytes), approvalToken, request.UndoChangeId, request.Route);

        var route = request.Route ?? await LocateChangeAsync(request.ChangeId, cancellationToken);
        activity?.SetTag("autopilot.route", route.ToString());
        var result = await WithConflictRetries(route, request.UndoChangeId, ct => UndoOnce(route, request, ct), cancellationToken);
        if (result.Outcome == ChangeOutcome.Undone)
        {
            GatewayBridgeTelemetry.ChangesUndone.Add(1);
            logger.LogInformation("Undid change {ChangeId} on {Route} as {UndoChangeId} for incident {IncidentId}: {Weights}",
                request.ChangeId, route, request.UndoChangeId, request.IncidentId, Format(result.Rules));
        }
        return result;
    }

    public async Task<IReadOnlyList<ChangeRecord>> ListChangesAsync(RouteRef? route = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var documents = route is null
                ? await ListManagedRoutesAsync(cancellationToken)
                : [await store.GetRouteAsync(route, cancellationToken)];
            var records = new List<ChangeRecord>();
            foreach (var document in documents)
            {
                var state = HttpRouteDocument.ToState(document);
                foreach (var entry in ReadJournal(state).Entries)
                {
                    _routeOfChange[entry.ChangeId] = state.Route;
                    records.Add(ToRecord(state, entry));
                }
            }
            return records.OrderBy(r => r.Result.At).ThenBy(r => r.Change.ChangeId, StringComparer.Ordinal).ToList();
        }
        catch (KubernetesApiException e)
        {
            throw Translate(e, route);
        }
    }

    /// <summary>Every route the bridge manages: in the configured namespaces, or in all namespaces when none are configured.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListManagedRoutesAsync(CancellationToken cancellationToken = default)
    {
        if (options.Namespaces.Count == 0) return await store.ListRoutesAsync(null, cancellationToken);
        var routes = new List<JsonObject>();
        foreach (var ns in options.Namespaces) routes.AddRange(await store.ListRoutesAsync(ns, cancellationToken));
        return routes;
    }

    private async Task<ChangeResult> ApplyOnce(RouteChange change, string? policyBefore, CancellationToken ct)
    {
        var document = await store.GetRouteAsync(change.Route, ct);
        var state = HttpRouteDocument.ToState(document);
        var journal = ReadJournal(state);
        if (journal.Find(change.ChangeId) is { } done)
        {
            // Idempotency: a replayed change (a retry after a lost reply, a redelivered message) changes nothing.
            return ResultOf(done.ChangeId, ChangeOutcome.AlreadyApplied, change.Route, done.Rules, state.ResourceVersion, done.At);
        }

        var absent = change.Rules.Where(r => state.Rules.All(x => x.Index != r.RuleIndex)).Select(r => r.RuleIndex).ToList();
        if (absent.Count > 0)
            throw Refuse(422, "Rule not found", $"Route {change.Route} has {state.Rules.Count} rule(s); the change names rule {string.Join(", ", absent)}.", "invalid");
        // The precondition covers every rule of the change: a concurrent change on any of them means the approval
        // judged a route that is no longer there, and applying the rest on top would mix two decisions.
        var moved = change.Rules.Where(r => r.Before.Count > 0 && !SameWeights(state.Weights(r.RuleIndex), r.Before)).ToList();
        if (moved.Count > 0)
            throw Refuse(412, "Route changed since approval",
                $"Route {change.Route} {string.Join("; ", moved.Select(r => $"rule {r.RuleIndex} has {Format(state.Weights(r.RuleIndex))} but the approval expected {Format(r.Before)}"))}; re-evaluate against the current weights.",
                "precondition");

        var now = time.GetUtcNow();
        IReadOnlyList<RuleWeights> touched;
        JsonArray? rules = null;
        if (change.Kind == ChangeKind.SetRateLimit)
        {
            await ApplyRateLimitAsync(change.Route, change.RateLimit!, change.DryRun, ct);
            touched = [.. change.Rules.Select(r => new RuleWeights(r.RuleIndex, state.Weights(r.RuleIndex), state.Weights(r.RuleIndex)))];
        }
        else
        {
            touched = [.. change.Rules.Select(r => new RuleWeights(r.RuleIndex, state.Weights(r.RuleIndex), ValidateNewWeights(change.Route, r, state.Weights(r.RuleIndex))))];
            // A repeat rollback on a route already at 100/0 would only bump resourceVersion and fill the journal.
            if (!change.DryRun && touched.All(r => SameWeights(r.Before, r.After)))
                return ResultOf(change.ChangeId, ChangeOutcome.AlreadyInPlace, change.Route,
                    [.. touched.Select(r => r with { After = r.Before })], state.ResourceVersion, now);
            rules = HttpRouteDocument.RulesWithWeights(document, touched);
        }

        var entry = new JournalEntry(change.ChangeId, change.IncidentId, change.Kind, touched[0].RuleIndex, change.Reason, now,
            touched[0].Before, touched[0].After, change.RateLimit, policyBefore, MoreRules: More(touched));
        var patched = await PatchAsync(change.Route, state.ResourceVersion, rules, journal.With(entry, options.JournalEntriesPerRoute), entry, change.DryRun, ct);
        _routeOfChange[change.ChangeId] = change.Route;
        var after = HttpRouteDocument.ToState(patched);
        return ResultOf(change.ChangeId, change.DryRun ? ChangeOutcome.DryRun : ChangeOutcome.Applied, change.Route,
            [.. touched.Select(r => r with { After = after.Weights(r.RuleIndex) })], HttpRouteDocument.ResourceVersion(patched), now);
    }

    private async Task<ChangeResult> UndoOnce(RouteRef route, UndoRequest request, CancellationToken ct)
    {
        var document = await store.GetRouteAsync(route, ct);
        var state = HttpRouteDocument.ToState(document);
        var journal = ReadJournal(state);
        if (journal.Find(request.UndoChangeId) is { } done)
            return ResultOf(done.ChangeId, ChangeOutcome.AlreadyApplied, route, done.Rules, state.ResourceVersion, done.At);

        var original = journal.Find(request.ChangeId)
            ?? throw Refuse(404, "Change not found", $"Route {route} has no change '{request.ChangeId}' in its journal (it keeps the last {options.JournalEntriesPerRoute}).", "unknown_change");
        if (original.UndoneBy is not null)
            throw Refuse(409, "Change already undone", $"Change '{request.ChangeId}' on {route} was already undone by '{original.UndoneBy}'.", "already_undone");

        var now = time.GetUtcNow();
        JsonArray? rules = null;
        IReadOnlyList<RuleWeights> touched;
        if (original.Kind == ChangeKind.SetRateLimit)
        {
            await RestoreRateLimitAsync(route, original.PolicyBefore, ct);
            touched = [.. original.Rules.Select(r => new RuleWeights(r.RuleIndex, state.Weights(r.RuleIndex), state.Weights(r.RuleIndex)))];
        }
        else
        {
            // Undo restores exact prior weights on every rule the change touched, so it must not silently discard a
            // later change made on top of any of them.
            var moved = original.Rules.Where(r => !SameWeights(state.Weights(r.RuleIndex), r.After)).ToList();
            if (moved.Count > 0)
                throw Refuse(412, "Route changed since the change",
                    $"Route {route} {string.Join("; ", moved.Select(r => $"rule {r.RuleIndex} has {Format(state.Weights(r.RuleIndex))}, not the {Format(r.After)}"))} that change '{request.ChangeId}' set; undo the later changes first.",
                    "precondition");
            touched = [.. original.Rules.Select(r => new RuleWeights(r.RuleIndex, state.Weights(r.RuleIndex), r.Before))];
            rules = HttpRouteDocument.RulesWithWeights(document, touched);
        }

        var entry = new JournalEntry(request.UndoChangeId, request.IncidentId, original.Kind, touched[0].RuleIndex, request.Reason, now,
            touched[0].Before, touched[0].After, UndoOf: original.ChangeId, MoreRules: More(touched));
        var patched = await PatchAsync(route, state.ResourceVersion, rules, journal.With(entry, options.JournalEntriesPerRoute), entry, dryRun: false, ct);
        _routeOfChange[request.UndoChangeId] = route;
        var after = HttpRouteDocument.ToState(patched);
        return ResultOf(request.UndoChangeId, ChangeOutcome.Undone, route,
            [.. touched.Select(r => r with { After = after.Weights(r.RuleIndex) })], HttpRouteDocument.ResourceVersion(patched), now);
    }

    /// <summary>A result over every rule touched; the first rule fills Before/After, as a one-rule result always had.</summary>
    private static ChangeResult ResultOf(string changeId, ChangeOutcome outcome, RouteRef route, IReadOnlyList<RuleWeights> rules, string resourceVersion, DateTimeOffset at) =>
        new(changeId, outcome, route, rules[0].Before, rules[0].After, resourceVersion, at, rules[0].RuleIndex, More(rules));

    private static IReadOnlyList<RuleWeights>? More(IReadOnlyList<RuleWeights> rules) => rules.Count > 1 ? [.. rules.Skip(1)] : null;

    /// <summary>One merge patch: the rules (if weights change), audit annotations and the journal, conditional on resourceVersion.</summary>
    private Task<JsonObject> PatchAsync(RouteRef route, string resourceVersion, JsonArray? rules, RouteJournal journal, JournalEntry entry, bool dryRun, CancellationToken ct)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = resourceVersion,
                ["annotations"] = new JsonObject
                {
                    [LastChangeIdAnnotation] = entry.ChangeId,
                    [LastIncidentIdAnnotation] = entry.IncidentId,
                    [LastReasonAnnotation] = entry.Reason,
                    [LastChangeAtAnnotation] = entry.At.ToString("O"),
                    [RouteJournal.Annotation] = journal.Serialize(),
                },
            },
        };
        if (rules is not null) patch["spec"] = new JsonObject { ["rules"] = rules };
        return store.MergePatchRouteAsync(route, patch, dryRun, ct);
    }

    /// <summary>The route's rate-limit policy spec as JSON, or null when it has none: what undo restores.</summary>
    private async Task<string?> ReadPolicyAsync(RouteRef route, CancellationToken ct)
    {
        try
        {
            var existing = await store.GetPolicyAsync(route.Namespace, options.RateLimitPolicy.NamePrefix + route.Name, ct);
            return existing?["spec"]?.ToJsonString();
        }
        catch (KubernetesApiException e)
        {
            throw Translate(e, route);
        }
    }

    private async Task ApplyRateLimitAsync(RouteRef route, RateLimitSpec limit, bool dryRun, CancellationToken ct)
    {
        var spec = (JsonObject)JsonNode.Parse(RateLimitPolicyTemplate.Render(options.RateLimitPolicy.SpecTemplate, route.Name, limit.RequestsPerSecond, limit.Burst))!;
        await store.ApplyPolicyAsync(route.Namespace, options.RateLimitPolicy.NamePrefix + route.Name, spec, dryRun, ct);
    }

    private async Task RestoreRateLimitAsync(RouteRef route, string? policyBefore, CancellationToken ct)
    {
        var name = options.RateLimitPolicy.NamePrefix + route.Name;
        if (policyBefore is null) await store.DeletePolicyAsync(route.Namespace, name, dryRun: false, ct);
        else await store.ApplyPolicyAsync(route.Namespace, name, (JsonObject)JsonNode.Parse(policyBefore)!, dryRun: false, ct);
    }

    /// <summary>
    /// Runs one read-validate-patch attempt; on 409 (someone wrote the route in between) starts over from a fresh
    /// read, so the precondition is checked against what is really there now.
    /// </summary>
    private async Task<ChangeResult> WithConflictRetries(RouteRef route, string changeId, Func<CancellationToken, Task<ChangeResult>> attempt, CancellationToken ct)
    {
        for (var attemptNumber = 0; ; attemptNumber++)
        {
            try
            {
                return await attempt(ct);
            }
            catch (KubernetesApiException e) when (e.StatusCode == 409 && attemptNumber < options.MaxConflictRetries)
            {
                GatewayBridgeTelemetry.Conflicts.Add(1);
                logger.LogInformation("Conflict writing {Route} for change {ChangeId} (attempt {Attempt}); re-reading and re-validating",
                    route, changeId, attemptNumber + 1);
            }
            catch (KubernetesApiException e)
            {
                throw Translate(e, route);
            }
        }
    }

    private async Task<RouteRef> LocateChangeAsync(string changeId, CancellationToken ct)
    {
        if (_routeOfChange.TryGetValue(changeId, out var known)) return known;
        await ListChangesAsync(null, ct);
        return _routeOfChange.TryGetValue(changeId, out var found)
            ? found
            : throw Refuse(404, "Change not found", $"No route's journal has a change '{changeId}'.", "unknown_change");
    }

    private IReadOnlyList<BackendWeight> ValidateNewWeights(RouteRef route, RuleWeights rule, IReadOnlyList<BackendWeight> current)
    {
        var currentNames = current.Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = rule.After.Where(w => !currentNames.Contains(w.Name)).Select(w => w.Name).ToList();
        if (unknown.Count > 0)
            throw Refuse(422, "Unknown backend", $"Route {route} rule {rule.RuleIndex} has no backendRef named {string.Join(", ", unknown)}; it has {string.Join(", ", currentNames)}.", "invalid");
        var byName = rule.After.ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal);
        // Backends the change does not name keep their weight; the result is listed in the route's order.
        var after = current.Select(b => new BackendWeight(b.Name, byName.GetValueOrDefault(b.Name, b.Weight))).ToList();
        if (after.All(b => b.Weight == 0))
            throw Refuse(422, "No backend left", $"The change would give every backend of {route} rule {rule.RuleIndex} weight 0, which drops all traffic.", "invalid");
        return after;
    }

    private void CheckApproval(ApprovalCheck check, string? token, string changeId, RouteRef? route)
    {
        if (check == ApprovalCheck.Valid) return;
        if (string.IsNullOrEmpty(token))
            throw Refuse(401, "Approval required", $"Change '{changeId}' carries no approval token; only changes approved by the guardrail are applied.", "approval_missing");
        var detail = check switch
        {
            ApprovalCheck.Expired => "The approval token has expired.",
            ApprovalCheck.Mismatch => "The approval token was issued for a different change.",
            ApprovalCheck.BadSignature => "The approval token's signature is not valid.",
            _ => "The approval token is malformed.",
        };
        logger.LogWarning("Refused change {ChangeId} on {Route}: approval {ApprovalCheck}", changeId, route, check);
        throw Refuse(403, "Approval rejected", detail, "approval_" + check.ToString().ToLowerInvariant());
    }

    private GatewayBridgeException Translate(KubernetesApiException e, RouteRef? route) => e.StatusCode switch
    {
        404 => Refuse(404, "Route not found", $"{e.Operation}: {e.ApiMessage}", "not_found"),
        409 => Refuse(409, "Route kept changing", $"Gave up after {options.MaxConflictRetries + 1} attempts on {route}: {e.ApiMessage}", "conflict"),
        400 or 422 => Refuse(422, "Kubernetes rejected the change", $"{e.Operation}: {e.ApiMessage}", "invalid"),
        401 or 403 => Refuse(502, "Kubernetes API refused the bridge",
            $"{e.Operation}: {e.StatusCode} {e.Reason}: {e.ApiMessage}. Check the gateway-bridge service account's RBAC (get/list/watch/patch on httproutes.gateway.networking.k8s.io).", "kubernetes_forbidden"),
        _ => Refuse(e.StatusCode >= 500 ? 503 : 502, "Kubernetes API error", $"{e.Operation}: {e.StatusCode} {e.Reason}: {e.ApiMessage}", "kubernetes_error"),
    };

    private GatewayBridgeException Invalid(GatewayBridgeException e) => Refuse(e.StatusCode, e.Title, e.Detail ?? "", "invalid");

    private GatewayBridgeException Refuse(int status, string title, string detail, string reason)
    {
        GatewayBridgeTelemetry.ChangesRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
        if (status >= 500) logger.LogError("gateway-bridge refused: {Status} {Title}: {Detail}", status, title, detail);
        else logger.LogWarning("gateway-bridge refused: {Status} {Title}: {Detail}", status, title, detail);
        return new GatewayBridgeException(status, title, detail);
    }

    private RouteJournal ReadJournal(RouteState state)
    {
        try
        {
            return RouteJournal.FromAnnotations(state.Annotations);
        }
        catch (InvalidDataException e)
        {
            throw Refuse(500, "Unreadable change journal", $"{state.Route}: {e.Message}", "journal");
        }
    }

    /// <summary>A journal entry on the wire; ResourceVersion is the route's as listed (the journal does not know later ones).</summary>
    private static ChangeRecord ToRecord(RouteState state, JournalEntry entry)
    {
        var route = state.Route;
        var change = new RouteChange(entry.ChangeId, entry.IncidentId, route, entry.RuleIndex, entry.Kind,
            entry.Before, entry.After, entry.RateLimit, entry.Reason, DryRun: false, entry.MoreRules);
        var result = ResultOf(entry.ChangeId, entry.UndoOf is null ? ChangeOutcome.Applied : ChangeOutcome.Undone,
            route, entry.Rules, state.ResourceVersion, entry.At);
        return new ChangeRecord(change, result, entry.Before, entry.UndoneBy);
    }

    internal static bool SameWeights(IReadOnlyList<BackendWeight> a, IReadOnlyList<BackendWeight> b) =>
        a.Count == b.Count && a.All(x => b.Any(y => y.Name == x.Name && y.Weight == x.Weight));

    private static string Format(IReadOnlyList<BackendWeight> weights) =>
        "[" + string.Join(", ", weights.Select(w => $"{w.Name}={w.Weight}")) + "]";

    private static string Format(IReadOnlyList<RuleWeights> rules) =>
        string.Join("; ", rules.Select(r => $"rule {r.RuleIndex} {Format(r.Before)} -> {Format(r.After)}"));
}
