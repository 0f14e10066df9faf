using System.Text.RegularExpressions;

namespace Autopilot.Deployment.Tests.Support;

public static partial class RouteSamples
{
    /// <summary>A route template with every {parameter} replaced by a sample segment, to test access rules against.</summary>
    public static string Of(string template) => RouteParameter().Replace(template, "sample");

    [GeneratedRegex(@"\{[^}/]+\}")]
    private static partial Regex RouteParameter();
}
