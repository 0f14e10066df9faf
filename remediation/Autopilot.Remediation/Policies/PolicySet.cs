using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Policies;

/// <summary>
/// The validated policies of one or more files. Each route gets the single most specific policy that selects
/// it (route, then namespace, then default); a route nothing selects gets <see cref="RoutePolicy.NoPolicy"/>,
/// which allows no traffic change.
/// </summary>
public sealed class PolicySet
{
    private PolicySet(IReadOnlyList<RoutePolicy> policies) => Policies = policies;

    public IReadOnlyList<RoutePolicy> Policies { get; }

    /// <exception cref="PolicyValidationException">Every problem in the text.</exception>
    public static PolicySet Load(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var problems = new List<PolicyProblem>();
        var policies = new PolicyFileReader(sourceName, problems).Read(yaml);
        CheckAcrossFiles(policies, problems);
        if (problems.Count > 0) throw new PolicyValidationException(problems);
        return new PolicySet(policies);
    }

    /// <summary>Loads every *.yaml and *.yml file directly in <paramref name="directory"/>, in name order.</summary>
    /// <exception cref="PolicyValidationException">Every problem in every file, or no policy files at all.</exception>
    public static PolicySet LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
            throw new PolicyValidationException([new PolicyProblem(directory, 0, "(directory)", "does not exist; point the policy directory at a folder of *.yaml policy files")]);

        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
            throw new PolicyValidationException([new PolicyProblem(directory, 0, "(directory)", "holds no *.yaml or *.yml policy files; without a policy no traffic change is ever allowed")]);

        var problems = new List<PolicyProblem>();
        var policies = new List<RoutePolicy>();
        foreach (var file in files)
            policies.AddRange(new PolicyFileReader(file, problems).Read(File.ReadAllText(file)));
        CheckAcrossFiles(policies, problems);
        if (problems.Count > 0) throw new PolicyValidationException(problems);
        return new PolicySet(policies);
    }

    /// <summary>The policy that governs <paramref name="route"/>.</summary>
    public RoutePolicy Resolve(RouteRef route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return Policies
            .Where(p => p.Selector.Matches(route))
            .OrderByDescending(p => p.Selector.Specificity)
            .FirstOrDefault() ?? RoutePolicy.NoPolicy;
    }

    // Two policies for the same selector would make the choice depend on file order: refuse instead.
    private static void CheckAcrossFiles(IReadOnlyList<RoutePolicy> policies, List<PolicyProblem> problems)
    {
        foreach (var group in policies.GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add(new PolicyProblem(group.ElementAt(1).Source, 0, "name",
                $"policy name '{group.Key}' is used more than once ({string.Join(", ", group.Select(p => p.Source).Distinct())}); names must be unique"));
        foreach (var group in policies.GroupBy(p => p.Selector).Where(g => g.Count() > 1))
            problems.Add(new PolicyProblem(group.ElementAt(1).Source, 0, "selector",
                $"{group.Key} is selected by more than one policy ({string.Join(", ", group.Select(p => $"'{p.Name}' in {p.Source}"))}); each selector may appear once"));
    }
}
