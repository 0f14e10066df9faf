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
/// Bearer tokens and what their users may do, like a ServiceAccount token bound to a (Cluster)Role. A request with an
/// unknown token is 401 Unauthorized, and so is one with none unless anonymous requests were granted rules (as an API
/// server started with --anonymous-auth and a binding for system:anonymous); a user lacking the verb gets 403 Forbidden.
/// </summary>
public sealed class KubeAccessControl
{
    private readonly Dictionary<string, (string User, IReadOnlyList<KubeAccessRule> Rules)> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private IReadOnlyList<KubeAccessRule>? _anonymous;

    /// <summary>What requests without a token may do. kubectl sends no token to a plain-http server (it sends
    /// credentials over TLS only), so this is how it reaches the simulator.</summary>
    public void GrantAnonymous(params KubeAccessRule[] rules)
    {
        lock (_lock) _anonymous = rules;
    }

    public void RevokeAnonymous()
    {
        lock (_lock) _anonymous = null;
    }

    public void Grant(string token, string user, params KubeAccessRule[] rules)
    {
        lock (_lock) _tokens[token] = (user, rules);
    }

    public void Revoke(string token)
    {
        lock (_lock) _tokens.Remove(token);
    }

    /// <summary>Discovery is open to every authenticated user, as the API server's system:discovery role makes it.</summary>
    public void AuthorizeDiscovery(string? token) => Identify(token);

    public void Authorize(string? token, string verb, KubeResourceType type, string? namespaceName, string? name)
    {
        var grant = Identify(token);
        if (grant.Rules.Any(r => r.Allows(verb, type.Group, type.Plural, namespaceName))) return;
        var subject = name is null ? type.QualifiedPlural : $"{type.QualifiedPlural} \"{name}\"";
        var scope = namespaceName is null ? "at the cluster scope" : $"in the namespace \"{namespaceName}\"";
        throw new KubeApiException(403, "Forbidden",
            $"{subject} is forbidden: User \"{grant.User}\" cannot {verb} resource \"{type.Plural}\" in API group \"{type.Group}\" {scope}",
            KubeStatus.Details(type, name ?? ""));
    }

    private (string User, IReadOnlyList<KubeAccessRule> Rules) Identify(string? token)
    {
        lock (_lock)
        {
            if (token is not null && _tokens.TryGetValue(token, out var grant)) return grant;
            if (token is null && _anonymous is not null) return ("system:anonymous", _anonymous);
        }
        throw new KubeApiException(401, "Unauthorized", "Unauthorized");
    }
}
