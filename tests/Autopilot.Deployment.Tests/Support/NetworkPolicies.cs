namespace Autopilot.Deployment.Tests.Support;

/// <summary>A pod as a NetworkPolicy sees it: its namespace, its labels and its named container ports.</summary>
public sealed record PodIdentity(string Namespace, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, int> NamedPorts)
{
    /// <summary>A pod of some other workload: no labels any policy selects.</summary>
    public static PodIdentity Elsewhere(string ns) => new(ns, new Dictionary<string, string> { ["app"] = "something-else" }, new Dictionary<string, int>());

    /// <summary>A Deployment's pods, from its template.</summary>
    public static PodIdentity Of(Map deployment) => new(
        deployment.Namespace ?? "default",
        deployment.RequiredMap("spec", "template", "metadata", "labels").ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? ""),
        deployment.MapsAt("spec", "template", "spec", "containers").SelectMany(c => c.MapsAt("ports"))
            .Where(p => p.Str("name") is not null).ToDictionary(p => p.Required("name"), p => int.Parse(p.Required("containerPort"))));
}

/// <summary>
/// Kubernetes' ingress decision for one TCP connection, as the NetworkPolicy API defines it: a pod no Ingress policy
/// selects accepts everything; a selected pod accepts a connection only if some selecting policy has a rule whose
/// peers match the source (podSelector: pods of the policy's namespace; namespaceSelector: pods of the namespaces whose
/// labels match, namespaces carrying kubernetes.io/metadata.name; both in one peer: both must match) and whose ports
/// list the port (a name resolves through the target's container ports). An empty peer or port list matches all.
/// Only matchLabels selectors are read; a policy using anything else fails the evaluation rather than guessing.
/// </summary>
public static class NetworkPolicies
{
    public static bool Allows(IEnumerable<Map> policies, PodIdentity from, PodIdentity to, int port)
    {
        var selecting = policies
            .Where(p => p.Kind == "NetworkPolicy" && (p.Namespace ?? "default") == to.Namespace)
            .Where(p => p.StringsAt("spec", "policyTypes") is var types && (types.Count == 0 || types.Contains("Ingress")))
            .Where(p => Matches(p.MapAt("spec", "podSelector"), to.Labels))
            .ToList();
        if (selecting.Count == 0) return true;
        return selecting.Any(policy => policy.MapsAt("spec", "ingress").Any(rule =>
            PeersMatch(rule, policy.Namespace ?? "default", from) && PortsMatch(rule, to, port)));
    }

    private static bool PeersMatch(Map rule, string policyNamespace, PodIdentity from)
    {
        var peers = rule.MapsAt("from");
        if (peers.Count == 0) return true; // absent or empty: every source
        return peers.Any(peer =>
        {
            if (peer.MapAt("ipBlock") is not null) throw new NotSupportedException("ipBlock peers are not evaluated");
            var pods = peer.MapAt("podSelector");
            var namespaces = peer.MapAt("namespaceSelector");
            var namespaceOk = namespaces is null
                ? from.Namespace == policyNamespace
                : Matches(namespaces, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = from.Namespace });
            var podOk = pods is null || Matches(pods, from.Labels);
            return namespaceOk && podOk;
        });
    }

    private static bool PortsMatch(Map rule, PodIdentity to, int port)
    {
        if (rule.MapsAt("ports").Count == 0) return true; // absent or empty: every port
        return rule.MapsAt("ports").Any(p =>
        {
            if ((p.Str("protocol") ?? "TCP") != "TCP") return false;
            if (p.Str("port") is not { } value) return true;
            var number = int.TryParse(value, out var n) ? n : to.NamedPorts.TryGetValue(value, out var named) ? named : -1;
            var end = p.Str("endPort") is { } endPort ? int.Parse(endPort) : number;
            return port >= number && port <= end;
        });
    }

    /// <summary>A label selector: an empty one (or none) selects everything.</summary>
    private static bool Matches(Map? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null) return true;
        if (selector.Find("matchExpressions") is not null) throw new NotSupportedException("matchExpressions are not evaluated");
        return (selector.MapAt("matchLabels") ?? new Map()).All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value?.ToString());
    }
}
