using System.Text.RegularExpressions;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>What the apps' source declares (endpoints, actor types, names), read as text so the deployment checks
/// need no reference to the app projects.</summary>
public static partial class SourceCode
{
    public static IReadOnlyList<string> Files(string folder) =>
        Directory.EnumerateFiles(Repo.PathOf(folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                        && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string Text(string folder) => string.Join("\n", Files(folder).Select(File.ReadAllText));

    /// <summary>Minimal-API endpoints as "VERB /template" (MapGet/MapPost/MapPut/MapDelete/MapPatch).</summary>
    public static IReadOnlyList<string> Endpoints(string folder) =>
        MapCall().Matches(Text(folder))
            .Select(m => $"{m.Groups["verb"].Value.ToUpperInvariant()} {m.Groups["path"].Value}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A route template with every {parameter} replaced by a sample segment.</summary>
    public static string SamplePath(string template) => RouteParameter().Replace(template, "sample");

    public static IReadOnlySet<string> RegisteredActorTypes(string folder) =>
        RegisterActor().Matches(Text(folder)).Select(m => m.Groups["type"].Value).ToHashSet();

    /// <summary>The default of a settable string property, e.g. <c>public string Topic { get; set; } = "alerts";</c>.</summary>
    public static string? PropertyDefault(string folder, string property) =>
        Regex.Match(Text(folder), $@"\b{Regex.Escape(property)}\s*\{{\s*get;\s*set;\s*\}}\s*=\s*""(?<value>[^""]*)""") is { Success: true } m
            ? m.Groups["value"].Value
            : null;

    /// <summary>The value of a string constant, e.g. <c>public const string StoreName = "autopilot-secrets";</c>.</summary>
    public static string? Constant(string folder, string name) =>
        Regex.Match(Text(folder), $@"const\s+string\s+{Regex.Escape(name)}\s*=\s*""(?<value>[^""]*)""") is { Success: true } m
            ? m.Groups["value"].Value
            : null;

    [GeneratedRegex(@"\.Map(?<verb>Get|Post|Put|Delete|Patch)\(\s*""(?<path>/[^""]*)""")]
    private static partial Regex MapCall();

    [GeneratedRegex(@"\{[^}/]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"RegisterActor<(?<type>\w+)>")]
    private static partial Regex RegisterActor();
}
