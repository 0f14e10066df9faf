using System.Text.Json.Serialization;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// The closed set of things the model may propose. Wire form is one compact JSON object with an
/// "action" discriminator, e.g. {"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90,"checkout-v2":10},"reason":"v2 5xx"}.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "action")]
[JsonDerivedType(typeof(ShiftTraffic), ActionNames.ShiftTraffic)]
[JsonDerivedType(typeof(RollbackCanary), ActionNames.RollbackCanary)]
[JsonDerivedType(typeof(IsolateBackend), ActionNames.IsolateBackend)]
[JsonDerivedType(typeof(SetRateLimit), ActionNames.SetRateLimit)]
[JsonDerivedType(typeof(Escalate), ActionNames.Escalate)]
[JsonDerivedType(typeof(NoAction), ActionNames.NoAction)]
public abstract record Proposal(string Reason)
{
    [JsonIgnore]
    public abstract string Action { get; }

    /// <summary>True for proposals that change traffic (and so need the guardrail and the bridge).</summary>
    [JsonIgnore]
    public virtual bool ChangesTraffic => true;
}

public static class ActionNames
{
    public const string ShiftTraffic = "shift_traffic";
    public const string RollbackCanary = "rollback_canary";
    public const string IsolateBackend = "isolate_backend";
    public const string SetRateLimit = "set_rate_limit";
    public const string Escalate = "escalate";
    public const string NoAction = "no_action";

    public static readonly IReadOnlyList<string> All =
        [ShiftTraffic, RollbackCanary, IsolateBackend, SetRateLimit, Escalate, NoAction];
}

/// <summary>Set the weights (percent, summing to 100) of the route's managed rule.</summary>
public sealed record ShiftTraffic(string Route, IReadOnlyDictionary<string, int> Weights, string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.ShiftTraffic;
}

/// <summary>Send all traffic back to the stable backend.</summary>
public sealed record RollbackCanary(string Route, string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.RollbackCanary;
}

/// <summary>Weight 0 for one backend; the rest is spread over the others in proportion.</summary>
public sealed record IsolateBackend(string Route, string Backend, string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.IsolateBackend;
}

public sealed record SetRateLimit(string Route, int RequestsPerSecond, string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.SetRateLimit;
}

public sealed record Escalate(string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.Escalate;
    [JsonIgnore]
    public override bool ChangesTraffic => false;
}

public sealed record NoAction(string Reason) : Proposal(Reason)
{
    [JsonIgnore]
    public override string Action => ActionNames.NoAction;
    [JsonIgnore]
    public override bool ChangesTraffic => false;
}
