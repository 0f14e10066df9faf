namespace Autopilot.Deployment.Tests.Support;

/// <summary>Dapr's access-control decision for one service-invocation call, as the callee's sidecar makes it.</summary>
public static class DaprAccessControl
{
    /// <summary>Dapr's decision for one call: the caller's policy, its matching operation, else the defaults.</summary>
    public static bool Allows(Map configuration, string caller, string verb, string path, string callerNamespace = SharedNames.Namespace)
    {
        var acl = configuration.RequiredMap("spec", "accessControl");
        var policy = acl.MapsAt("policies").FirstOrDefault(p => p.Str("appId") == caller && p.Str("namespace") == callerNamespace);
        if (policy is null) return acl.Str("defaultAction") == "allow";
        // The most specific operation matching the path decides if it lists the verb; otherwise the policy's default.
        var operation = policy.MapsAt("operations")
            .Where(o => OperationMatches(o.Required("name"), path))
            .OrderByDescending(o => o.Required("name").Length)
            .FirstOrDefault();
        return operation is not null && operation.StringsAt("httpVerb").Any(v => v == verb || v == "*")
            ? (operation.Str("action") ?? "allow") == "allow"
            : policy.Str("defaultAction") == "allow";
    }

    /// <summary>Dapr operation names: "*" matches one path segment, a trailing "**" one or more.</summary>
    public static bool OperationMatches(string pattern, string path)
    {
        var want = pattern.Trim('/').Split('/');
        var have = path.Trim('/').Split('/');
        for (var i = 0; i < want.Length; i++)
        {
            if (want[i] == "**") return have.Length > i;
            if (i >= have.Length || (want[i] != "*" && want[i] != have[i])) return false;
        }
        return want.Length == have.Length;
    }
}
