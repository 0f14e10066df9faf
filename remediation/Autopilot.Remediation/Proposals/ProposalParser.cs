using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Remediation.Proposals;

/// <summary>Why model output is not an acceptable proposal. Field is a JSON path such as "weights.checkout-v1",
/// "action" or "$" for the whole output.</summary>
public sealed record ProposalError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

public sealed record ProposalParseResult
{
    private ProposalParseResult(Proposal? proposal, ProposalError? error)
    {
        Proposal = proposal;
        Error = error;
    }

    [MemberNotNullWhen(true, nameof(Proposal))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Proposal is not null;

    public Proposal? Proposal { get; }
    public ProposalError? Error { get; }

    public static ProposalParseResult Success(Proposal proposal) => new(proposal, null);
    public static ProposalParseResult Failure(string field, string message) => new(null, new ProposalError(field, message));
}

/// <summary>
/// Turns model output into a proposal the SOP allows for this route, or a typed error. Never throws for bad
/// output: a model is untrusted input. Checks everything the grammar enforces (so output produced without a
/// grammar is held to the same rules) plus what a grammar cannot: weights summing to 100.
/// </summary>
public static class ProposalParser
{
    /// <summary>Model output longer than this is refused before parsing; a grammar-bound proposal is far shorter.</summary>
    public const int MaxOutputLength = 4096;

    public static ProposalParseResult Parse(string? modelOutput, IReadOnlyList<AllowedAction> allowed, ProposalContext context)
    {
        var shape = ProposalShape.Of(allowed, context);
        if (string.IsNullOrWhiteSpace(modelOutput)) return Fail("$", "model output is empty");
        if (modelOutput.Length > MaxOutputLength)
            return Fail("$", $"model output is {modelOutput.Length} characters; at most {MaxOutputLength} are accepted");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(modelOutput, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return Fail("$", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail("$", $"expected a JSON object, got {Describe(root)}");

            var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!fields.TryAdd(property.Name, property.Value)) return Fail(property.Name, "property appears more than once");
            }

            if (!fields.TryGetValue("action", out var actionElement)) return Fail("action", "missing; every proposal names its action");
            if (actionElement.ValueKind != JsonValueKind.String) return Fail("action", $"expected a string, got {Describe(actionElement)}");
            var action = actionElement.GetString()!;
            if (!ActionNames.All.Contains(action))
                return Fail("action", $"unknown action '{Shorten(action)}'; valid actions are {string.Join(", ", ActionNames.All)}");
            if (!shape.SopAllows(action))
                return Fail("action", $"'{action}' is not allowed by the SOP; it allows {AllowedList(shape)}");
            if (shape.Unavailable.TryGetValue(action, out var why))
                return Fail("action", $"'{action}' cannot be applied here: {why}");

            var expected = ExpectedFields(action);
            foreach (var name in fields.Keys)
            {
                if (!expected.Contains(name))
                    return Fail(Shorten(name), $"unexpected property for {action}; expected {string.Join(", ", expected)}");
            }
            foreach (var name in expected)
            {
                if (!fields.ContainsKey(name)) return Fail(name, $"missing; {action} requires {string.Join(", ", expected)}");
            }

            if (!TryReason(fields["reason"], out var reason, out var reasonError)) return ProposalParseResult.Failure("reason", reasonError);
            if (action is ActionNames.Escalate) return ProposalParseResult.Success(new Escalate(reason));
            if (action is ActionNames.NoAction) return ProposalParseResult.Success(new NoAction(reason));

            var routeElement = fields["route"];
            if (routeElement.ValueKind != JsonValueKind.String) return Fail("route", $"expected a string, got {Describe(routeElement)}");
            var route = routeElement.GetString()!;
            if (route != context.Route) return Fail("route", $"'{Shorten(route)}' is not the route under remediation; expected '{context.Route}'");

            return action switch
            {
                ActionNames.ShiftTraffic => ParseShift(fields["weights"], route, reason, shape),
                ActionNames.RollbackCanary => ProposalParseResult.Success(new RollbackCanary(route, reason)),
                ActionNames.IsolateBackend => ParseIsolate(fields["backend"], route, reason, shape),
                _ => ParseRateLimit(fields["requests_per_second"], route, reason, shape),
            };
        }
    }

    private static ProposalParseResult ParseShift(JsonElement element, string route, string reason, ProposalShape shape)
    {
        if (element.ValueKind != JsonValueKind.Object) return Fail("weights", $"expected an object of backend: percent, got {Describe(element)}");
        var given = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var field = "weights." + Shorten(property.Name);
            if (!shape.Context.Backends.Contains(property.Name, StringComparer.Ordinal))
                return Fail(field, $"unknown backend; route {route} has {string.Join(", ", shape.Context.Backends)}");
            if (!given.TryAdd(property.Name, property.Value)) return Fail(field, "backend appears more than once");
        }

        var bounds = shape.BoundsOf(ActionNames.ShiftTraffic);
        var stable = ProposalShape.StableIn(shape.Context);
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var backend in shape.Context.Backends)
        {
            var field = "weights." + backend;
            if (!given.TryGetValue(backend, out var value))
                return Fail(field, $"missing; shift_traffic must give a weight for every backend of {route}: {string.Join(", ", shape.Context.Backends)}");
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var weight))
                return Fail(field, $"expected an integer percent 0..100, got {Describe(value)}");
            if (weight is < 0 or > 100) return Fail(field, $"{weight} is not a percent 0..100");
            if (backend == stable && bounds.MinStableWeight is { } floor && weight < floor)
                return Fail(field, $"{weight}% on the stable backend is below the SOP's min_stable_weight {floor}%");
            if (bounds.MaxStepPercent is { } step && shape.Context.CurrentWeights?.TryGetValue(backend, out var now) == true
                && Math.Abs(weight - now) > step)
                return Fail(field, $"{now}% -> {weight}% moves {Math.Abs(weight - now)} points; the SOP's max_step_percent is {step}");
            weights[backend] = weight;
        }

        var sum = weights.Values.Sum();
        if (sum != 100) return Fail("weights", $"weights sum to {sum}; they must sum to 100");
        return ProposalParseResult.Success(new ShiftTraffic(route, weights, reason));
    }

    private static ProposalParseResult ParseIsolate(JsonElement element, string route, string reason, ProposalShape shape)
    {
        if (element.ValueKind != JsonValueKind.String) return Fail("backend", $"expected a backend name, got {Describe(element)}");
        var backend = element.GetString()!;
        if (!shape.Context.Backends.Contains(backend, StringComparer.Ordinal))
            return Fail("backend", $"unknown backend '{Shorten(backend)}'; route {route} has {string.Join(", ", shape.Context.Backends)}");
        if (backend == ProposalShape.StableIn(shape.Context))
            return Fail("backend", $"'{backend}' is the stable backend; isolating it is left to a human");
        if (!shape.IsolateCandidates.Contains(backend, StringComparer.Ordinal))
        {
            var bounds = shape.BoundsOf(ActionNames.IsolateBackend);
            return Fail("backend", $"isolating '{backend}' from the current weights would break the SOP's bounds (min_stable_weight {bounds.MinStableWeight?.ToString() ?? "none"}, max_step_percent {bounds.MaxStepPercent?.ToString() ?? "none"}); isolate one of {string.Join(", ", shape.IsolateCandidates)}");
        }
        return ProposalParseResult.Success(new IsolateBackend(route, backend, reason));
    }

    private static ProposalParseResult ParseRateLimit(JsonElement element, string route, string reason, ProposalShape shape)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var rps))
            return Fail("requests_per_second", $"expected an integer, got {Describe(element)}");
        if (rps < shape.MinRequestsPerSecond || rps > shape.MaxRequestsPerSecond)
            return Fail("requests_per_second", $"{rps} is outside the SOP's bounds {shape.MinRequestsPerSecond}..{shape.MaxRequestsPerSecond}");
        return ProposalParseResult.Success(new SetRateLimit(route, rps, reason));
    }

    private static bool TryReason(JsonElement element, out string reason, out string error)
    {
        reason = "";
        error = "";
        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"expected a string, got {Describe(element)}";
            return false;
        }
        var text = element.GetString()!;
        var length = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            length++;
            if (rune.Value < 0x20 || rune.Value == 0x7F)
            {
                error = $"contains control character U+{rune.Value:X4}";
                return false;
            }
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; say why in a few words";
            return false;
        }
        if (length > ProposalLimits.MaxReasonLength)
        {
            error = $"is {length} characters; at most {ProposalLimits.MaxReasonLength} are allowed";
            return false;
        }
        reason = text;
        return true;
    }

    private static IReadOnlyList<string> ExpectedFields(string action) => action switch
    {
        ActionNames.ShiftTraffic => ["action", "route", "weights", "reason"],
        ActionNames.RollbackCanary => ["action", "route", "reason"],
        ActionNames.IsolateBackend => ["action", "route", "backend", "reason"],
        ActionNames.SetRateLimit => ["action", "route", "requests_per_second", "reason"],
        _ => ["action", "reason"],
    };

    private static string AllowedList(ProposalShape shape) =>
        shape.Actions.Count == 0 ? "nothing for this route" : string.Join(", ", shape.Actions);

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => $"the number {Shorten(element.GetRawText())}",
        JsonValueKind.String => $"the string \"{Shorten(element.GetString()!)}\"",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    // Model output is echoed into logs and audit records: keep it short.
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static ProposalParseResult Fail(string field, string message) => ProposalParseResult.Failure(field, message);
}
