using System.Globalization;
using System.Text.RegularExpressions;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Proposals;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Workloads;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Autopilot.Simulator.Scenarios;

/// <summary>A scenario file that is not valid; lists every problem with the file and the key.</summary>
public sealed class ScenarioException(string source, IReadOnlyList<string> problems)
    : Exception($"Scenario {source} is not valid:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Reads scenario YAML (see docs/standalone.md for the format) into validated <see cref="Scenario"/>s.</summary>
public static partial class ScenarioLoader
{
    public static readonly IReadOnlyList<string> FaultKinds =
        ["error_rate", "latency", "dependency_outage", "surge", "crash_loop", "cert_expiry", "flapping"];

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static IReadOnlyList<Scenario> LoadDirectory(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.yaml").Order(StringComparer.Ordinal).Select(LoadFile)];

    public static Scenario LoadFile(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Finds a scenario by name in a directory, or says which names exist.</summary>
    public static Scenario Find(string directory, string name)
    {
        var all = LoadDirectory(directory);
        return all.FirstOrDefault(s => s.Name == name)
            ?? throw new ScenarioException(directory, [$"scenario '{name}' does not exist; valid: {string.Join(", ", all.Select(s => s.Name))}"]);
    }

    public static Scenario Parse(string yaml, string source)
    {
        ScenarioFile file;
        try
        {
            file = Yaml.Deserialize<ScenarioFile?>(yaml) ?? throw new ScenarioException(source, ["the file is empty"]);
        }
        catch (YamlException ex)
        {
            throw new ScenarioException(source, [$"line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}"]);
        }
        var problems = new List<string>();
        var name = Required(file.Name, "name", problems);
        var workloadFile = file.Workload ?? new WorkloadFile();
        if (file.Workload is null) problems.Add("workload: required");
        var versions = (workloadFile.Versions ?? []).Select(v => new VersionSpec(
            v.Name ?? "", v.Weight, v.ErrorRatio ?? 0.001, v.LatencyMs ?? 40)).ToList();
        var workload = new WorkloadSpec(
            new WorkloadKey(workloadFile.Namespace ?? "", workloadFile.Name ?? ""),
            versions,
            StableVersion: (workloadFile.Versions ?? []).FirstOrDefault(v => v.Stable)?.Name ?? "",
            RequestsPerSecond: workloadFile.RequestsPerSecond ?? 50,
            Dependencies: workloadFile.Dependencies ?? []) with
        {
            OtherRules = [.. (workloadFile.OtherRules ?? []).Select(r => new KubeApi.RouteRuleSpec(r.Path ?? "",
                [.. (r.Backends ?? []).Select(b => new Autopilot.Remediation.Routing.BackendWeight(b.Key, b.Value))]))],
        };
        if (string.IsNullOrEmpty(workloadFile.Namespace) || string.IsNullOrEmpty(workloadFile.Name))
            problems.Add("workload.namespace / workload.name: both are required");
        if ((workloadFile.Versions ?? []).Count(v => v.Stable) != 1) problems.Add("workload.versions[].stable: exactly one version must be stable");
        problems.AddRange(workload.Validate().Select(p => "workload." + p));

        var faults = new List<ScheduledFault>();
        for (var i = 0; i < (file.Faults ?? []).Count; i++)
        {
            var fault = ParseFault(file.Faults![i], $"faults[{i}]", workload, problems);
            if (fault is not null) faults.Add(fault);
        }
        if (faults.Count == 0) problems.Add("faults: at least one fault is required");

        var expect = file.Expect ?? new ExpectFile();
        if (file.Expect is null) problems.Add("expect: required");
        var alert = Required(expect.Alert, "expect.alert", problems);
        if (alert.Length > 0 && !AlertRuleSettings.AlertNames.Contains(alert))
            problems.Add($"expect.alert: '{alert}' is not an alert the rules raise; valid: {string.Join(", ", AlertRuleSettings.AlertNames)}");
        var applied = expect.Applied ?? [];
        foreach (var action in applied.Where(a => !ActionNames.All.Contains(a) || a is ActionNames.Escalate or ActionNames.NoAction))
            problems.Add($"expect.applied: '{action}' is not a traffic action; valid: shift_traffic, rollback_canary, isolate_backend, set_rate_limit (or [] for none)");
        if (expect.FinalWeights is { } final)
        {
            if (final.Values.Sum() != 100) problems.Add("expect.final_weights: weights must sum to 100");
            foreach (var backend in final.Keys.Where(k => versions.All(v => v.Name != k)))
                problems.Add($"expect.final_weights: '{backend}' is not a version of the workload");
        }
        foreach (var prescribed in (expect.Prescribed ?? []).Where(p => !Autopilot.Remediation.Proposals.ActionNames.All.Contains(p)))
            problems.Add($"expect.prescribed: '{prescribed}' is not an action; valid: {string.Join(", ", Autopilot.Remediation.Proposals.ActionNames.All)}");
        if (expect.Restored && applied.Count == 0) problems.Add("expect.restored: a restore needs a change to restore from (expect.applied is empty)");
        if (expect.Prescribed is not { Count: > 0 })
            problems.Add("expect.prescribed: required: the action class the scenario's SOP prescribes for these facts, preferred first (e.g. [rollback_canary, shift_traffic])");
        if (applied.Count > 0 && expect.MaxErrorRatioAfterMitigation is null)
            problems.Add("expect.max_error_ratio_after_mitigation: required when a change is expected: the most 5xx / requests the workload may serve after mitigation (e.g. 0.01)");
        if (expect.MaxErrorRatioAfterMitigation is < 0 or > 1)
            problems.Add($"expect.max_error_ratio_after_mitigation: {expect.MaxErrorRatioAfterMitigation} is not a ratio between 0 and 1");
        if (file.Proposal is { } proposal && ProposalProblem(proposal) is { } proposalProblem) problems.Add("proposal: " + proposalProblem);

        var timeout = DurationOrDefault(file.Timeout, "timeout", TimeSpan.FromSeconds(120), problems);
        if (problems.Count > 0) throw new ScenarioException(source, problems);
        return new Scenario(
            name,
            file.Description?.Trim() ?? "",
            file.Sop ?? "",
            workload,
            faults,
            new ScenarioExpectation(alert, applied, expect.Escalated, expect.Restored, expect.FinalWeights, expect.Prescribed, expect.ReasonNames ?? [])
            {
                MaxErrorRatioAfterMitigation = expect.MaxErrorRatioAfterMitigation,
            },
            timeout,
            source)
        {
            Proposal = file.Proposal?.Trim(),
        };
    }

    /// <summary>Why a scripted proposal is not a JSON object naming a known action, or null when it is.</summary>
    private static string? ProposalProblem(string proposal)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(proposal);
            if (json.RootElement.ValueKind != System.Text.Json.JsonValueKind.Object
                || !json.RootElement.TryGetProperty("action", out var action) || action.ValueKind != System.Text.Json.JsonValueKind.String)
                return "must be a JSON object with an \"action\", as the model answers";
            return ActionNames.All.Contains(action.GetString()!) ? null : $"action '{action.GetString()}' is not an action; valid: {string.Join(", ", ActionNames.All)}";
        }
        catch (System.Text.Json.JsonException e)
        {
            return $"is not JSON: {e.Message}";
        }
    }

    /// <summary>One fault in the scenario file's fault syntax (JSON works too), checked against the workload.</summary>
    public static ScheduledFault ParseFault(string text, WorkloadSpec workload, string source)
    {
        FaultFile file;
        try
        {
            file = Yaml.Deserialize<FaultFile?>(text) ?? throw new ScenarioException(source, ["the fault is empty"]);
        }
        catch (YamlException ex)
        {
            throw new ScenarioException(source, [$"line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}"]);
        }
        var problems = new List<string>();
        var fault = ParseFault(file, "fault", workload, problems);
        if (fault is null || problems.Count > 0) throw new ScenarioException(source, problems);
        return fault;
    }

    private static ScheduledFault? ParseFault(FaultFile f, string at, WorkloadSpec workload, List<string> problems)
    {
        var id = f.Id ?? $"{f.Kind}-{at}";
        var version = f.Version ?? "";
        if (f.Kind is "error_rate" or "latency" or "crash_loop" or "flapping" && version != "*" && workload.Versions.All(v => v.Name != version))
            problems.Add($"{at}.version: '{version}' is not a version of the workload (or '*' for all)");
        var ratio = f.Ratio ?? 0;
        if (f.Kind is "error_rate" or "dependency_outage" or "flapping" && ratio is <= 0 or > 1) problems.Add($"{at}.ratio: must be in (0, 1]");
        Fault? fault = f.Kind switch
        {
            "error_rate" => new ErrorRateFault(id, version, ratio),
            "latency" => new LatencyFault(id, version, Positive(f.AddedMs, $"{at}.added_ms", problems)),
            "dependency_outage" => new DependencyOutageFault(id, Required(f.Dependency, $"{at}.dependency", problems), ratio),
            "surge" => new SurgeFault(id, Positive(f.Multiplier, $"{at}.multiplier", problems)),
            "crash_loop" => new CrashLoopFault(id, version, Positive(f.RestartsPerMinute, $"{at}.restarts_per_minute", problems), f.Ratio ?? 0),
            "cert_expiry" => new CertificateExpiryFault(id, DurationOrDefault(f.ExpiresIn, $"{at}.expires_in", TimeSpan.Zero, problems)),
            "flapping" => new FlappingFault(id, version, ratio, DurationOrDefault(f.Period, $"{at}.period", TimeSpan.FromSeconds(3), problems)),
            _ => null,
        };
        if (fault is null)
        {
            problems.Add($"{at}.kind: '{f.Kind}' is not a fault kind; valid: {string.Join(", ", FaultKinds)}");
            return null;
        }
        if (fault is DependencyOutageFault d && !workload.DependencyNames.Contains(d.Dependency))
            problems.Add($"{at}.dependency: '{d.Dependency}' is not in workload.dependencies");
        return new ScheduledFault(
            fault,
            DurationOrDefault(f.StartAfter, $"{at}.start_after", TimeSpan.Zero, problems),
            f.Duration is null ? null : DurationOrDefault(f.Duration, $"{at}.duration", TimeSpan.Zero, problems),
            f.FixedAfterMitigation is null ? null : DurationOrDefault(f.FixedAfterMitigation, $"{at}.fixed_after_mitigation", TimeSpan.Zero, problems));
    }

    private static string Required(string? value, string key, List<string> problems)
    {
        if (string.IsNullOrWhiteSpace(value)) problems.Add($"{key}: required");
        return value ?? "";
    }

    private static double Positive(double? value, string key, List<string> problems)
    {
        if (value is not > 0) problems.Add($"{key}: required, a positive number");
        return value ?? 0;
    }

    /// <summary>Durations as Prometheus writes them: 500ms, 10s, 5m, 2h, 7d.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = text is null ? null : DurationPattern().Match(text.Trim());
        if (match is not { Success: true }) return false;
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        duration = match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
        return true;
    }

    private static TimeSpan DurationOrDefault(string? text, string key, TimeSpan fallback, List<string> problems)
    {
        if (text is null) return fallback;
        if (TryParseDuration(text, out var duration)) return duration;
        problems.Add($"{key}: '{text}' is not a duration; write e.g. 500ms, 10s, 5m, 2h, 7d");
        return fallback;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$")]
    private static partial Regex DurationPattern();

    private sealed class ScenarioFile
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public string? Sop { get; set; }
        public WorkloadFile? Workload { get; set; }
        public List<FaultFile>? Faults { get; set; }
        public ExpectFile? Expect { get; set; }
        public string? Timeout { get; set; }
        public string? Proposal { get; set; }
    }

    private sealed class WorkloadFile
    {
        public string? Namespace { get; set; }
        public string? Name { get; set; }
        public double? RequestsPerSecond { get; set; }
        public List<string>? Dependencies { get; set; }
        public List<VersionFile>? Versions { get; set; }
        public List<RuleFile>? OtherRules { get; set; }
    }

    private sealed class RuleFile
    {
        public string? Path { get; set; }
        public Dictionary<string, int>? Backends { get; set; }
    }

    private sealed class VersionFile
    {
        public string? Name { get; set; }
        public int Weight { get; set; }
        public bool Stable { get; set; }
        public double? ErrorRatio { get; set; }
        public double? LatencyMs { get; set; }
    }

    private sealed class FaultFile
    {
        public string? Id { get; set; }
        public string? Kind { get; set; }
        public string? Version { get; set; }
        public double? Ratio { get; set; }
        public double? AddedMs { get; set; }
        public string? Dependency { get; set; }
        public double? Multiplier { get; set; }
        public double? RestartsPerMinute { get; set; }
        public string? ExpiresIn { get; set; }
        public string? Period { get; set; }
        public string? StartAfter { get; set; }
        public string? Duration { get; set; }
        public string? FixedAfterMitigation { get; set; }
    }

    private sealed class ExpectFile
    {
        public string? Alert { get; set; }
        public List<string>? Applied { get; set; }
        public bool Escalated { get; set; }
        public bool Restored { get; set; }
        public Dictionary<string, int>? FinalWeights { get; set; }
        public List<string>? Prescribed { get; set; }
        public List<string>? ReasonNames { get; set; }
        public double? MaxErrorRatioAfterMitigation { get; set; }
    }
}
