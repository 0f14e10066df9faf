namespace Autopilot.Standalone.Hosting;

/// <summary>Checks the serve command's options together; the message names the option and what would be valid.</summary>
public static class ServeArguments
{
    public static string? Problem(string? clusterUrl, string? prometheusUrl, int port, string? policies)
    {
        if (clusterUrl is not null && !IsHttpUrl(clusterUrl))
            return $"--cluster-url: '{clusterUrl}' is not an absolute http(s) URL; give the Kubernetes API's base URL, e.g. http://127.0.0.1:6443.";
        if (prometheusUrl is not null && !IsHttpUrl(prometheusUrl))
            return $"--prometheus-url: '{prometheusUrl}' is not an absolute http(s) URL; give Prometheus's base URL, e.g. http://127.0.0.1:9090.";
        if (clusterUrl is not null && prometheusUrl is null)
            return "--cluster-url needs --prometheus-url: health is read from the Prometheus that scrapes that cluster.";
        if (clusterUrl is null && prometheusUrl is not null)
            return "--prometheus-url is used only with --cluster-url; the in-process simulator has its own evaluator.";
        if (port is < 0 or > 65535)
            return $"--port: {port} is not a TCP port; give 1-65535, or 0 (the default) for a free one.";
        if (policies is not null && !Directory.Exists(policies))
            return $"--policies: the directory {policies} does not exist; give a folder of policy YAML files or leave --policies out for policies/.";
        return null;
    }

    /// <summary>What serve sets over the stand-alone settings: the policies given, and the production approval
    /// timeout (15 min) instead of the demo's 15 s, since a person answers here, from the console or curl.</summary>
    public static Dictionary<string, string?> Configuration(string? policies)
    {
        var values = new Dictionary<string, string?> { ["Autopilot:Guardrail:ApprovalTimeout"] = "00:15:00" };
        if (policies is not null) values["Autopilot:Guardrail:PolicyDirectory"] = Path.GetFullPath(policies);
        return values;
    }

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
