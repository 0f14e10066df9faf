using Autopilot.Testing;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Evaluation;

namespace Autopilot.Model.Tests.Evaluation;

/// <summary>Hand-written cases and case records for the evaluation tests, and the way to the repository's sops/ and policies/.</summary>
internal static class EvalSamples
{
    public static readonly DateTimeOffset Wednesday = new(2026, 11, 25, 12, 45, 0, TimeSpan.Zero);

    /// <summary>The directory holding Autopilot.sln.</summary>
    public static string RepoRoot => Autopilot.Testing.Repo.Root;

    public static CaseRoute CheckoutRoute(int canaryWeight = 10) =>
        new("shop/checkout", "checkout-v1", [new("checkout-v1", 100 - canaryWeight), new("checkout-v2", canaryWeight)]);

    /// <summary>The canary serves 40 % errors: canary-high-error-rate prescribes a rollback.</summary>
    public static DecisionCase BadCanary(string id = "canary-40pct") => new()
    {
        Id = id,
        Sop = "canary-high-error-rate",
        Now = Wednesday,
        Workload = "shop/checkout",
        Route = CheckoutRoute(),
        Metrics = [new("checkout-v1", 0.004, 120, 180), new("checkout-v2", 0.40, 140, 20)],
        Alerts = [new("CanaryHighErrorRate", new Dictionary<string, string> { ["version"] = "checkout-v2", ["severity"] = "critical" }, Wednesday.AddMinutes(-6))],
        Expect = new CaseExpectation
        {
            Actions = ["rollback_canary", "shift_traffic"],
            Weights = new Dictionary<string, WeightBound> { ["checkout-v2"] = new(Max: 5) },
            ReasonNames = ["checkout-v2", "err"],
        },
    };

    /// <summary>An alert no SOP is written for: the planner must escalate without asking the model.</summary>
    public static DecisionCase Uncovered(string id = "no-sop", CaseExpectation? expect = null) => new()
    {
        Id = id,
        Now = Wednesday,
        Workload = "shop/ledger",
        Route = new CaseRoute("shop/ledger", "ledger-v1", [new("ledger-v1", 100)]),
        Metrics = [new("ledger-v1", 0.001, 80, 50)],
        Alerts = [new("LedgerReplicationLagHigh", new Dictionary<string, string> { ["severity"] = "warning" }, Wednesday.AddMinutes(-3))],
        Expect = expect ?? new CaseExpectation { Actions = ["escalate"] },
    };

    /// <summary>A flapping alert on a healthy workload: alert-flapping says leave traffic alone.</summary>
    public static DecisionCase Flapping(string id = "flapping") => new()
    {
        Id = id,
        Sop = "alert-flapping",
        Now = Wednesday,
        Workload = "shop/checkout",
        Route = CheckoutRoute(),
        Metrics = [new("checkout-v1", 0.002, 110, 180), new("checkout-v2", 0.003, 115, 20)],
        Alerts = [new("AlertFlapping", new Dictionary<string, string> { ["flapping_alert"] = "CheckoutLatencyHigh" }, Wednesday.AddMinutes(-20))],
        Expect = new CaseExpectation { Actions = ["no_action", "escalate"], Forbidden = ["shift_traffic", "rollback_canary", "isolate_backend"] },
    };

    public static string WriteCases(params DecisionCase[] cases)
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-eval-tests", Guid.NewGuid().ToString("N"));
        var file = Path.Combine(directory, "cases.jsonl");
        CaseFiles.Write(file, cases);
        return file;
    }

    public static CaseVerdict Allowed { get; } = new(VerdictOutcomes.Allowed, "shop-checkout", false, [], []);

    /// <summary>A case record with only what a test sets; the rest is a correct, model-written rollback.</summary>
    public static CaseResult Result(string id, bool correct = true, string source = "Model", string? sop = "canary-high-error-rate",
        string action = "rollback_canary", IReadOnlyList<string>? expected = null, bool? grounded = null, bool? withinBounds = null,
        bool asked = true, string? parseError = null, double latencyMs = 100, int? promptTokens = null, int? completionTokens = null,
        CaseVerdict? verdict = null, IReadOnlyList<string>? forbidden = null) => new()
    {
        Id = id,
        Kind = CaseKinds.Generated,
        Sop = sop,
        MatchedSop = sop,
        ExpectedActions = expected ?? ["rollback_canary"],
        ForbiddenActions = forbidden ?? [],
        Action = action,
        Source = source,
        CorrectAction = correct,
        Grounded = grounded,
        WithinBounds = withinBounds,
        ModelAsked = asked,
        ParseError = parseError,
        Verdict = verdict ?? Allowed,
        LatencyMs = latencyMs,
        PromptTokens = promptTokens,
        CompletionTokens = completionTokens,
        Reason = $"reason of {id}",
    };
}
