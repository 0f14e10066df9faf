namespace Autopilot.Simulator.KubeApi;

/// <summary>
/// One RBAC-style rule: verbs on resources of API groups ("*" matches any). Namespaces null is a ClusterRoleBinding
/// (every namespace and cluster-wide lists); a list is a RoleBinding in each of those namespaces only.
/// </summary>
public sealed record KubeAccessRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string>? Namespaces = null)
{
    public bool Allows(string verb, string group, string resource, string? namespaceName) =>
        Matches(Verbs, verb) && Matches(ApiGroups, group) && Matches(Resources, resource)
        && (Namespaces is null || (namespaceName is not null && Namespaces.Contains(namespaceName)));

    public static KubeAccessRule Everything { get; } = new(["*"], ["*"], ["*"]);

    private static bool Matches(IReadOnlyList<string> allowed, string value) => allowed.Contains("*") || allowed.Contains(value);
}

/// <summary>
/// Bearer tokens and what their users may do, like a ServiceAccount token bound to a (Cluster)Role. A request with no
/// or an unknown token is 401 Unauthorized; a known token lacking the verb is 403 Forbidden.
/// </summary>
public sealed class KubeAccessControl
{
    private readonly Dictionary<string, (string User, IReadOnlyList<KubeAccessRule> Rules)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Grant(string token, string user, params KubeAccessRule[] rules)
    {
        lock (_lock) _tokens[token] = (user, rules);
    }

    public void Revoke(string token)
    {
        lock (_lock) _tokens.Remove(token);
    }

    public void Authorize(string? token, string verb, KubeResourceType type, string? namespaceName, string? name)
    {
        (string User, IReadOnlyList<KubeAccessRule> Rules) grant;
        lock (_lock)
        {
            if (token is null || !_tokens.TryGetValue(token, out grant))
                throw new KubeApiException(401, "Unauthorized", "Unauthorized");
        }
        if (grant.Rules.Any(r => r.Allows(verb, type.Group, type.Plural, namespaceName))) return;
        var subject = name is null ? type.QualifiedPlural : $"{type.QualifiedPlural} \"{name}\"";
        var scope = namespaceName is null ? "at the cluster scope" : $"in the namespace \"{namespaceName}\"";
        throw new KubeApiException(403, "Forbidden",
            $"{subject} is forbidden: User \"{grant.User}\" cannot {verb} resource \"{type.Plural}\" in API group \"{type.Group}\" {scope}",
            KubeStatus.Details(type, name ?? ""));
    }
}
