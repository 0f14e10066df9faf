using Autopilot.Decisions.Cases;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Decisions.Generation;

/// <summary>
/// Generates the decision corpus with fixed seeds: the same seed and count give the same cases, byte for byte.
/// The train and held-out splits use different seeds and disjoint name pools (see <see cref="CaseNames"/>), so no
/// held-out workload, backend or dependency name reaches training.
/// </summary>
public static class CorpusGenerator
{
    public const int TrainSeed = 20261129;
    public const int HeldOutSeed = 777_000_111;

    /// <summary>Relative frequency of each situation; every shipped SOP and "no SOP matches" are covered.</summary>
    private static readonly (string Name, int Weight, Func<CaseDraft, Random, string, DecisionCase> Make, Func<Random, int> Backends)[] Mix =
    [
        ("canary-high-error-rate", 22, Scenarios.CanaryErrors, r => r.Next(5) == 0 ? 3 : 2),
        ("canary-latency-regression", 16, Scenarios.LatencyRegression, _ => 2),
        ("pod-crash-looping", 16, Scenarios.CrashLoop, r => r.Next(4) == 0 ? 3 : 2),
        ("traffic-surge", 12, Scenarios.Surge, r => r.Next(3) == 0 ? 1 : 2),
        ("all-versions-failing", 7, Scenarios.AllVersions, _ => 2),
        ("dependency-outage", 7, Scenarios.Dependency, _ => 2),
        ("certificate-expiring-soon", 6, Scenarios.Certificate, _ => 2),
        ("alert-flapping", 6, Scenarios.Flapping, _ => 2),
        ("no-sop", 8, Scenarios.NoSop, _ => 2),
    ];

    public static IReadOnlyList<DecisionCase> Generate(int count, int seed, bool heldOut, string idPrefix)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var names = new CaseNames(random, heldOut);
        var total = Mix.Sum(m => m.Weight);
        var origin = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
        var cases = new List<DecisionCase>(count);
        for (var i = 0; i < count; i++)
        {
            // Round-robin over the mix by weight keeps every SOP's share exact even for small counts.
            var slot = i % total;
            var pick = Mix.First(m => (slot -= m.Weight) < 0);
            var now = origin + TimeSpan.FromMinutes(random.Next(0, 60 * 24 * 28));
            var draft = new CaseDraft(random, names, now, pick.Backends(random));
            if (random.Next(10) == 0) draft.AddEarlierChange();
            var id = $"{idPrefix}-{i:D5}";
            var noise = random.Next(10) < 3 ? random.Next(1, 4) : 0;
            var made = pick.Make(draft, random, id);
            if (noise > 0)
            {
                draft.AddNoise(noise);
                made = made with { Alerts = draft.Build(id, made.Sop, made.Note ?? "", made.Expect, null).Alerts };
            }
            cases.Add(made);
        }
        return cases;
    }

    /// <summary>Share of the train split given to extra contrast cases (see <see cref="Train"/>).</summary>
    public const double ContrastShare = 0.2;

    /// <summary>
    /// The natural mix plus a fifth of contrast cases: an SOP's alert whose facts call for escalation or no change
    /// although the SOP's usual answer is a mitigation (the stable backend fails too, the metrics do not confirm the
    /// alert), and flapping alerts. In the natural mix they are one case in four of their SOP, and a model scores 80 % by learning each
    /// SOP's usual action without reading the facts; with more of them it has to read the out-of-bounds line.
    /// The held-out split keeps the natural mix.
    /// </summary>
    public static IReadOnlyList<DecisionCase> Train(int count = 4000)
    {
        var contrast = (int)Math.Round(count * ContrastShare);
        var natural = Generate(count - contrast, TrainSeed, heldOut: false, "train");
        var candidates = Generate(contrast * 8, TrainSeed + 1, heldOut: false, "train-contrast");
        return [.. natural, .. candidates.Where(IsContrast).Take(contrast)];
    }

    /// <summary>Cases an SOP that normally mitigates answers with escalation or no change, and flapping alerts (no
    /// change, whatever the out-of-bounds line says: the same line makes an unconfirmed canary alert an escalation).</summary>
    public static bool IsContrast(DecisionCase c) =>
        c.Sop is "alert-flapping"
        || (c.Sop is "canary-high-error-rate" or "canary-latency-regression" or "pod-crash-looping" or "traffic-surge"
            && c.Expect.Actions.All(a => a is ActionNames.Escalate or ActionNames.NoAction));

    public static IReadOnlyList<DecisionCase> HeldOut(int count = 400) => Generate(count, HeldOutSeed, heldOut: true, "heldout");
}
