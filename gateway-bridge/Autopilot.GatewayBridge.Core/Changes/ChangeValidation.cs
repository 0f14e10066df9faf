using System.Diagnostics.CodeAnalysis;
using Autopilot.GatewayBridge.Client;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Core.Changes;

/// <summary>Shape checks before anything touches the cluster: 400 naming the field, or 422 for out-of-range weights.</summary>
public static class ChangeValidation
{
    public const int MaxIdLength = 128;
    public const int MaxReasonLength = 1024;

    public static void Validate([NotNull] RouteChange? change)
    {
        if (change is null) throw BadRequest("change", "is required.");
        RequireId(change.ChangeId, "change.changeId");
        RequireId(change.IncidentId, "change.incidentId");
        RequireRoute(change.Route, "change.route");
        RequireReason(change.Reason, "change.reason");
        if (change.RuleIndex < 0) throw BadRequest("change.ruleIndex", $"is {change.RuleIndex}; use 0 or more.");
        if (!Enum.IsDefined(change.Kind)) throw BadRequest("change.kind", $"is {(int)change.Kind}; use one of {string.Join(", ", Enum.GetNames<ChangeKind>())}.");
        if (change.ExpectedWeights is null) throw BadRequest("change.expectedWeights", "is required (the weights the guardrail saw; [] only for setRateLimit).");
        if (change.NewWeights is null) throw BadRequest("change.newWeights", "is required ([] only for setRateLimit).");
        RequireWeights(change.ExpectedWeights, "change.expectedWeights");
        RequireWeights(change.NewWeights, "change.newWeights");
        ValidateMoreRules(change);

        if (change.Kind == ChangeKind.SetRateLimit)
        {
            if (change.RateLimit is null) throw BadRequest("change.rateLimit", "is required for kind SetRateLimit.");
            if (change.RateLimit.RequestsPerSecond <= 0) throw BadRequest("change.rateLimit.requestsPerSecond", $"is {change.RateLimit.RequestsPerSecond}; use 1 or more.");
            if (change.RateLimit.Burst <= 0) throw BadRequest("change.rateLimit.burst", $"is {change.RateLimit.Burst}; use 1 or more.");
        }
        else
        {
            if (change.ExpectedWeights.Count == 0) throw BadRequest("change.expectedWeights", "is empty; a weight change must carry the weights it was approved against.");
            if (change.NewWeights.Count == 0) throw BadRequest("change.newWeights", "is empty; name at least one backend and its weight.");
            RequireInRange(change.NewWeights, "change.newWeights");
            for (var i = 0; i < (change.MoreRules?.Count ?? 0); i++)
            {
                var field = $"change.moreRules[{i}]";
                if (change.MoreRules![i].Before.Count == 0) throw BadRequest(field + ".before", "is empty; a weight change must carry the weights it was approved against.");
                if (change.MoreRules[i].After.Count == 0) throw BadRequest(field + ".after", "is empty; name at least one backend and its weight.");
                RequireInRange(change.MoreRules[i].After, field + ".after");
            }
        }
    }

    private static void RequireInRange(IReadOnlyList<BackendWeight> weights, string field)
    {
        var outOfRange = weights.FirstOrDefault(w => w.Weight is < 0 or > GatewayBridgeService.MaxWeight);
        if (outOfRange is not null)
            throw new GatewayBridgeException(422, "Weight out of range",
                $"{field}: {outOfRange.Name} has weight {outOfRange.Weight}; Gateway API weights are 0..{GatewayBridgeService.MaxWeight}.");
    }

    /// <summary>Further rules of a multi-rule change: each named once, with weights like the first rule's.</summary>
    private static void ValidateMoreRules(RouteChange change)
    {
        if (change.MoreRules is null) return;
        var seen = new HashSet<int> { change.RuleIndex };
        for (var i = 0; i < change.MoreRules.Count; i++)
        {
            var field = $"change.moreRules[{i}]";
            var rule = change.MoreRules[i] ?? throw BadRequest(field, "is null.");
            if (rule.RuleIndex < 0) throw BadRequest(field + ".ruleIndex", $"is {rule.RuleIndex}; use 0 or more.");
            if (!seen.Add(rule.RuleIndex)) throw BadRequest(field + ".ruleIndex", $"names rule {rule.RuleIndex} twice; a change lists each rule once.");
            if (rule.Before is null) throw BadRequest(field + ".before", "is required (the weights the guardrail saw).");
            if (rule.After is null) throw BadRequest(field + ".after", "is required.");
            RequireWeights(rule.Before, field + ".before");
            RequireWeights(rule.After, field + ".after");
        }
    }

    public static void Validate([NotNull] UndoRequest? request)
    {
        if (request is null) throw BadRequest("undo", "is required.");
        RequireId(request.ChangeId, "changeId");
        RequireId(request.UndoChangeId, "undoChangeId");
        RequireId(request.IncidentId, "incidentId");
        RequireReason(request.Reason, "reason");
        if (request.Route is not null) RequireRoute(request.Route, "route");
        if (request.UndoChangeId == request.ChangeId) throw BadRequest("undoChangeId", "must differ from the id of the change being undone.");
    }

    private static void RequireId(string? id, string field)
    {
        if (string.IsNullOrWhiteSpace(id)) throw BadRequest(field, "is required.");
        if (id.Length > MaxIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/'))
            throw BadRequest(field, $"'{Truncate(id)}' must be 1..{MaxIdLength} characters of letters, digits, '-', '_', '.', ':' or '/'.");
    }

    private static void RequireRoute(RouteRef? route, string field)
    {
        if (route is null || string.IsNullOrWhiteSpace(route.Namespace) || string.IsNullOrWhiteSpace(route.Name))
            throw BadRequest(field, "needs a namespace and a name.");
    }

    private static void RequireReason(string? reason, string field)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw BadRequest(field, "is required: it is written to the route's audit annotation.");
        if (reason.Length > MaxReasonLength) throw BadRequest(field, $"has {reason.Length} characters; at most {MaxReasonLength}.");
    }

    private static void RequireWeights(IReadOnlyList<BackendWeight> weights, string field)
    {
        if (weights.Any(w => w is null || string.IsNullOrWhiteSpace(w.Name))) throw BadRequest(field, "has an entry without a backend name.");
        var duplicate = weights.GroupBy(w => w.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw BadRequest(field, $"names backend '{duplicate.Key}' twice.");
    }

    private static GatewayBridgeException BadRequest(string field, string message) =>
        new(400, "Invalid change", $"{field} {message}");

    private static string Truncate(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
