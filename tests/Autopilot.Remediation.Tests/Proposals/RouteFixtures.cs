using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Tests.Proposals;

/// <summary>The sample workload of the team brief: route shop/checkout, checkout-v1 stable, checkout-v2 canary.</summary>
internal static class RouteFixtures
{
    public const string Stable = "checkout-v1";
    public const string Canary = "checkout-v2";
    public static readonly RouteRef Checkout = new("shop", "checkout");

    public static RouteState Route(params (string Name, int Weight)[] weights) => Route(Checkout, Stable, weights);

    public static RouteState Route(RouteRef route, string? stable, params (string Name, int Weight)[] weights) =>
        new(route, "1", [new RouteRule(0, weights.Select(w => new BackendWeight(w.Name, w.Weight)).ToArray())], stable,
            new Dictionary<string, string>());

    public static RouteState Checkout9010 => Route((Stable, 90), (Canary, 10));

    public static ProposalContext Context(int? stableWeight = null) => new(
        Checkout.ToString(), [Stable, Canary], Stable,
        stableWeight is { } w ? new Dictionary<string, int> { [Stable] = w, [Canary] = 100 - w } : null);

    public static ShiftTraffic Shift(int stable, int canary, string route = "shop/checkout") =>
        new(route, new Dictionary<string, int> { [Stable] = stable, [Canary] = canary }, "test shift");
}
