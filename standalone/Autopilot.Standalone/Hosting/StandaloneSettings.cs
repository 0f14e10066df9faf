using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Hosting;

namespace Autopilot.Standalone.Hosting;

/// <summary>
/// What the stand-alone host needs to start. Which adapters run is decided here: the health source reads the
/// built-in evaluator's series unless <see cref="PrometheusUrl"/> names a real Prometheus, the bridge talks to the
/// Kubernetes API at <see cref="KubernetesUrl"/> (the simulator's fake, or a real cluster), the pool loads
/// <see cref="ModelPath"/> in-process. Everything else comes from configuration (<see cref="Configuration"/>
/// overrides the stand-alone defaults, key by key, e.g. "Autopilot:Restore:SettleDelay").
/// </summary>
public sealed record StandaloneSettings
{
    /// <summary>Where incident and guardrail state, reminders, the journal and the SOP index live.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>The folder holding sops/ and policies/ (the repository root for the demo).</summary>
    public required string ContentRoot { get; init; }

    public required Uri KubernetesUrl { get; init; }

    public required string KubernetesToken { get; init; }

    /// <summary>A GGUF file, or "builtin:tiny" (the generated model).</summary>
    public string ModelPath { get; init; } = "builtin:tiny";

    /// <summary>A wrong-proposal scenario's proposal, answered instead of the model's (see ScriptedProposalService).</summary>
    public string? ScriptedProposal { get; init; }

    /// <summary>Set to read health from a real Prometheus instead of <see cref="BuiltinSeries"/>.</summary>
    public Uri? PrometheusUrl { get; init; }

    /// <summary>The built-in evaluator's series (the health source when there is no Prometheus).</summary>
    public SeriesHistory? BuiltinSeries { get; init; }

    /// <summary>A run against the simulator: its Kubernetes API with the bridge's token, health from
    /// <paramref name="builtinSeries"/> (null when a real Prometheus is set with <c>with { PrometheusUrl = … }</c>).</summary>
    public static StandaloneSettings ForSimulator(SimulatedEnvironment environment, SeriesHistory? builtinSeries, string stateDirectory,
        string contentRoot) => new()
    {
        StateDirectory = stateDirectory,
        ContentRoot = contentRoot,
        KubernetesUrl = environment.Kube.Url,
        KubernetesToken = SimulatedEnvironment.BridgeToken,
        BuiltinSeries = builtinSeries,
    };

    /// <summary>Rule windows; the health source uses the same rate window as the alert rules.</summary>
    public AlertRuleSettings Rules { get; init; } = AlertRuleSettings.Fast;

    /// <summary>Loopback port of the webhook / incidents API; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>fsync state writes (off only for throwaway benchmark state).</summary>
    public bool FlushStateToDisk { get; init; } = true;

    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Restore steps unless configured: two (50%, 100% of the canary's weight), which keeps a demo short and leaves
    /// room in the policies' max_changes — every restore step is a change the guardrail counts.
    /// </summary>
    public static IReadOnlyList<int> RestoreSteps { get; } = [50, 100];
}
