using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Tests.Policies;

/// <summary>
/// Random proposals × random policies × random routes, ledgers and clocks: the engine's verdict must name
/// exactly the rules an independent oracle (written here from the policy reference, sharing no code with the
/// engine) finds broken — in particular, never Allowed for a proposal that breaks a rule.
/// </summary>
public class PolicyPropertyTests
{
    private const int Cases = 4000;
    private static readonly string[] TrafficActions =
        [ActionNames.ShiftTraffic, ActionNames.RollbackCanary, ActionNames.IsolateBackend, ActionNames.SetRateLimit];
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private sealed record Scenario(Proposal Proposal, RouteState Route, RoutePolicy Policy, LedgerEntry[] Ledger, DateTimeOffset Now);

    [Fact]
    public void Verdicts_name_exactly_the_rules_an_independent_oracle_finds_broken()
    {
        var random = new Random(20261125);
        var ruleCounts = new Dictionary<string, int>();
        var allowedTrafficChanges = 0;

        for (var i = 0; i < Cases; i++)
        {
            var s = RandomScenario(random);
            var expected = Oracle(s);

            var verdict = PolicyEngine.Evaluate(s.Proposal, s.Route, s.Ledger, s.Now, s.Policy);

            var context = $"case {i}: {ProposalJson.Serialize(s.Proposal)} on {Describe(s.Route)} at {s.Now:u} → " +
                          string.Join("; ", verdict.Violations.Select(v => $"{v.Rule}: {v.Message}"));
            Assert.True(expected.Order().SequenceEqual(verdict.Violations.Select(v => v.Rule).Order()),
                $"expected [{string.Join(", ", expected)}]; {context}");
            Assert.Equal(expected.Count == 0, verdict.Allowed);
            Assert.Equal(s.Proposal.ChangesTraffic && s.Policy.RequireApprovalOrEmpty.Contains(s.Proposal.Action), verdict.RequiresHumanApproval);
            Assert.Equal(s.Policy.DryRun, verdict.DryRun);
            Assert.All(verdict.Violations, v => Assert.False(string.IsNullOrWhiteSpace(v.Message)));

            if (verdict.Allowed && s.Proposal.ChangesTraffic)
            {
                allowedTrafficChanges++;
                Assert.Equal(100, verdict.Change!.After.Sum(w => w.Weight));
                Assert.All(verdict.Change.After, w => Assert.InRange(w.Weight, 0, 100));
            }
            foreach (var rule in expected) ruleCounts[rule] = ruleCounts.GetValueOrDefault(rule) + 1;
        }

        // The generator must exercise every rule and plenty of allowed changes, or the test proves little.
        Assert.True(allowedTrafficChanges > Cases / 20, $"only {allowedTrafficChanges} allowed traffic changes");
        foreach (var rule in new[] { "allowed_actions", "namespaces", "proposal", "min_stable_weight", "max_step_percent", "max_changes",
                     "freeze_windows", "min_requests_per_second", "max_requests_per_second" })
            Assert.True(ruleCounts.GetValueOrDefault(rule) >= 20, $"rule {rule} broken only {ruleCounts.GetValueOrDefault(rule)} times");
    }

    // ---------------- the oracle: the policy reference, restated ----------------

    private static List<string> Oracle(Scenario s)
    {
        var broken = new List<string>();
        var p = s.Proposal;
        var policy = s.Policy;
        if (p is Escalate or NoAction) return broken;

        if (!policy.AllowedActions.Contains(p.Action)) broken.Add("allowed_actions");
        if (policy.Namespaces is not null && !policy.Namespaces.Contains(s.Route.Route.Namespace)) broken.Add("namespaces");

        var backends = s.Route.Rules[0].Backends;
        var before = backends.Select(b => b.Weight).ToArray(); // generated routes are percentages already
        var after = WeightsAfter(p, s.Route);
        if (after is null) broken.Add("proposal");
        else if (p is SetRateLimit rate)
        {
            if (rate.RequestsPerSecond < policy.MinRequestsPerSecond) broken.Add("min_requests_per_second");
            if (rate.RequestsPerSecond > policy.MaxRequestsPerSecond) broken.Add("max_requests_per_second");
        }
        else
        {
            var stableIndex = backends.Select(b => b.Name).ToList().IndexOf(s.Route.StableBackend ?? "");
            if (policy.MinStableWeight > 0 && (stableIndex < 0 || after[stableIndex] < policy.MinStableWeight)) broken.Add("min_stable_weight");
            if (p is not RollbackCanary && before.Zip(after, (x, y) => Math.Abs(x - y)).Max() > policy.MaxStepPercent) broken.Add("max_step_percent");
        }

        if (policy.MaxChanges is { } budget)
        {
            var inWindow = s.Ledger.Count(e => e.Route == s.Route.Route && TrafficActions.Contains(e.Action) && s.Now - e.At < budget.Window);
            if (inWindow >= budget.Count) broken.Add("max_changes");
        }
        foreach (var window in policy.FreezeWindowsOrEmpty)
        {
            if (Frozen(window, s.Now)) broken.Add("freeze_windows");
        }
        return broken;
    }

    /// <summary>The weights a traffic proposal sets, or null when it does not fit the route.</summary>
    private static int[]? WeightsAfter(Proposal p, RouteState route)
    {
        var backends = route.Rules[0].Backends.Select(b => b.Name).ToArray();
        var weights = route.Rules[0].Backends.Select(b => b.Weight).ToArray();
        switch (p)
        {
            case ShiftTraffic shift:
                if (shift.Route != route.Route.ToString()) return null;
                if (!shift.Weights.Keys.ToHashSet().SetEquals(backends)) return null;
                if (shift.Weights.Values.Any(w => w < 0 || w > 100) || shift.Weights.Values.Sum() != 100) return null;
                return backends.Select(b => shift.Weights[b]).ToArray();
            case RollbackCanary rollback:
                if (rollback.Route != route.Route.ToString() || !backends.Contains(route.StableBackend)) return null;
                return backends.Select(b => b == route.StableBackend ? 100 : 0).ToArray();
            case IsolateBackend isolate:
                if (isolate.Route != route.Route.ToString() || !backends.Contains(isolate.Backend) || backends.Length < 2) return null;
                return HamiltonWithout(weights, Array.IndexOf(backends, isolate.Backend));
            case SetRateLimit rate:
                if (rate.Route != route.Route.ToString() || rate.RequestsPerSecond <= 0) return null;
                return weights;
            default:
                return null;
        }
    }

    // Largest-remainder apportionment of 100 points over every backend but one, by exact decimal quotas.
    private static int[] HamiltonWithout(int[] weights, int excluded)
    {
        var shares = weights.Select((w, i) => i == excluded ? 0m : w).ToArray();
        if (shares.Sum() == 0) shares = shares.Select((_, i) => i == excluded ? 0m : 1m).ToArray();
        var quotas = shares.Select(x => 100m * x / shares.Sum()).ToArray();
        var seats = quotas.Select(q => (int)decimal.Floor(q)).ToArray();
        var order = Enumerable.Range(0, seats.Length).Where(i => i != excluded)
            .OrderByDescending(i => quotas[i] - decimal.Floor(quotas[i])).ThenBy(i => i).ToArray();
        for (var k = 0; k < 100 - seats.Sum(); k++) seats[order[k]]++;
        return seats;
    }

    private static bool Frozen(FreezeWindow window, DateTimeOffset now) => window switch
    {
        FixedFreezeWindow w => w.From <= now && now < w.To,
        DailyFreezeWindow w => new[] { 0, 1 }.Any(daysBack =>
        {
            var day = now.UtcDateTime.Date.AddDays(-daysBack);
            if (!w.Days.Contains(day.DayOfWeek)) return false;
            var start = day + w.From;
            var end = day + (w.To > w.From ? w.To : w.To + TimeSpan.FromDays(1));
            return start <= now.UtcDateTime && now.UtcDateTime < end;
        }),
        _ => throw new InvalidOperationException(window.ToString()),
    };

    // ---------------- random inputs, biased towards rule boundaries ----------------

    private static Scenario RandomScenario(Random r)
    {
        var route = RandomRoute(r);
        var now = Monday.AddMinutes(15 * r.Next(7 * 24 * 4));
        var policy = RandomPolicy(r, now, route);
        return new Scenario(RandomProposal(r, route, policy), route, policy, RandomLedger(r, route, now, policy), now);
    }

    private static RouteState RandomRoute(Random r)
    {
        var names = new[] { "checkout-v1", "checkout-v2", "checkout-v3" }.Take(r.Next(2, 4)).ToArray();
        var weights = Composition(r, names.Length);
        var stable = r.Next(10) switch { 0 => null, 1 => "checkout-v9", _ => "checkout-v1" };
        var routeRef = r.Next(4) == 0 ? new RouteRef("billing", "checkout") : new RouteRef("shop", "checkout");
        return new RouteState(routeRef, "1", [new RouteRule(0, names.Select((n, i) => new BackendWeight(n, weights[i])).ToArray())],
            stable, new Dictionary<string, string>());
    }

    private static RoutePolicy RandomPolicy(Random r, DateTimeOffset now, RouteState route)
    {
        var allowed = TrafficActions.Where(_ => r.Next(4) != 0).ToArray();
        var approval = ActionNames.All.Where(_ => r.Next(5) == 0).ToArray();
        var minStable = r.Next(3) == 0 ? 0 : 5 * r.Next(21);
        var maxStep = r.Next(4) == 0 ? 100 : 1 + r.Next(50);
        ChangeBudget? budget = r.Next(2) == 0 ? null : new ChangeBudget(1 + r.Next(4), TimeSpan.FromMinutes(new[] { 10, 30, 60, 120 }[r.Next(4)]));
        var windows = Enumerable.Range(0, r.Next(3)).Select(i => RandomWindow(r, now, i)).ToArray();
        string[]? namespaces = r.Next(3) == 0 ? [new[] { "shop", "billing", "staging" }[r.Next(3)]] : null;
        int? minRps = r.Next(2) == 0 ? 10 * r.Next(1, 100) : null;
        int? maxRps = r.Next(3) == 0 ? 1000 + 10 * r.Next(400) : null;
        return new RoutePolicy("random", PolicySelector.ForRoute(route.Route), allowed, minStable, maxStep, budget, windows, approval,
            r.Next(4) == 0, namespaces, minRps, maxRps, "generated");
    }

    private static FreezeWindow RandomWindow(Random r, DateTimeOffset now, int i)
    {
        if (r.Next(3) == 0)
        {
            var from = now.AddMinutes(15 * r.Next(-16, 8));
            return new FixedFreezeWindow($"fixed-{i}", from, from.AddMinutes(15 * r.Next(1, 16)));
        }
        var days = Enum.GetValues<DayOfWeek>().Where(_ => r.Next(2) == 0).ToArray();
        var fromTime = TimeSpan.FromMinutes(15 * r.Next(96));
        var toTime = TimeSpan.FromMinutes(15 * r.Next(1, 97));
        if (toTime == fromTime) toTime = TimeSpan.FromDays(1);
        return new DailyFreezeWindow($"daily-{i}", days.Length == 0 ? [DayOfWeek.Saturday] : days, fromTime, toTime);
    }

    private static Proposal RandomProposal(Random r, RouteState route, RoutePolicy policy)
    {
        var backends = route.Rules[0].Backends;
        var routeName = r.Next(20) == 0 ? "shop/other" : route.Route.ToString();
        switch (r.Next(7))
        {
            case 0 or 1:
                var weights = backends.ToDictionary(b => b.Name, b => b.Weight);
                // Move points between two backends by about the policy's step, so both sides of the limit come up.
                var from = backends[r.Next(backends.Count)].Name;
                var to = backends[r.Next(backends.Count)].Name;
                var delta = Math.Min(weights[from], Math.Max(0, policy.MaxStepPercent + r.Next(-2, 3)));
                if (r.Next(2) == 0) delta = r.Next(weights[from] + 1);
                weights[from] -= delta;
                weights[to] += delta;
                if (r.Next(15) == 0) weights[to] += 1;                       // does not sum to 100
                if (r.Next(25) == 0) weights["checkout-v7"] = 0;             // unknown backend
                if (r.Next(25) == 0) weights.Remove(backends[0].Name);       // missing backend
                return new ShiftTraffic(routeName, weights, "shift");
            case 2:
                return new RollbackCanary(routeName, "rollback");
            case 3:
                var target = r.Next(15) == 0 ? "checkout-v8" : backends[r.Next(backends.Count)].Name;
                return new IsolateBackend(routeName, target, "isolate");
            case 4:
                var rps = r.Next(3) switch
                {
                    0 when policy.MinRequestsPerSecond is { } min => min + r.Next(-1, 2),
                    1 when policy.MaxRequestsPerSecond is { } max => max + r.Next(-1, 2),
                    _ => r.Next(-5, 6000),
                };
                return new SetRateLimit(routeName, rps, "rate");
            case 5:
                return new Escalate("escalate");
            default:
                return new NoAction("nothing");
        }
    }

    private static LedgerEntry[] RandomLedger(Random r, RouteState route, DateTimeOffset now, RoutePolicy policy)
    {
        var window = policy.MaxChanges?.Window ?? TimeSpan.FromHours(1);
        return Enumerable.Range(0, r.Next(6)).Select(i =>
        {
            // Often exactly one window old, or just inside it, to hit the sliding edge.
            var age = r.Next(4) switch
            {
                0 => window,
                1 => window - TimeSpan.FromTicks(1),
                2 => TimeSpan.FromMinutes(-r.Next(3)),
                _ => TimeSpan.FromMinutes(r.Next(180)),
            };
            var target = r.Next(6) == 0 ? new RouteRef("shop", "cart") : route.Route;
            return new LedgerEntry(now - age, target, ActionNames.All[r.Next(ActionNames.All.Count)], $"c{i}", "incident");
        }).ToArray();
    }

    private static int[] Composition(Random r, int parts)
    {
        var cuts = Enumerable.Range(0, parts - 1).Select(_ => r.Next(101)).Order().ToArray();
        var bounds = new[] { 0 }.Concat(cuts).Append(100).ToArray();
        return Enumerable.Range(0, parts).Select(i => bounds[i + 1] - bounds[i]).ToArray();
    }

    private static string Describe(RouteState route) =>
        $"{route.Route} [{string.Join(",", route.Rules[0].Backends.Select(b => $"{b.Name}={b.Weight}"))}] stable={route.StableBackend}";
}
