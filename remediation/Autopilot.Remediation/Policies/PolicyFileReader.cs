// Over 300 lines: one reader per policy key keeps every problem's message naming its file, line and key; the keys share
// the YAML walking helpers.
using System.Globalization;
using System.Text.RegularExpressions;
using Autopilot.Remediation.Proposals;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Remediation.Policies;

/// <summary>
/// Reads one policy file into policies, collecting every problem (with line, key path, what is wrong and what
/// is valid) instead of stopping at the first. Walks the YAML tree by hand so that unknown keys, wrong types
/// and out-of-range values are all reported with their location.
/// </summary>
internal sealed partial class PolicyFileReader(string source, List<PolicyProblem> problems)
{
    private static readonly string[] FileKeys = ["version", "policies"];
    private static readonly string[] PolicyKeys =
    [
        "name", "description", "selector", "namespaces", "allowed_actions", "require_approval", "min_stable_weight",
        "max_step_percent", "max_changes", "freeze_windows", "min_requests_per_second", "max_requests_per_second", "dry_run",
        "approvers",
    ];
    private static readonly string[] SelectorKeys = ["route", "namespace", "default"];
    private static readonly string[] BudgetKeys = ["count", "window"];
    private static readonly string[] FreezeKeys = ["name", "days", "from", "to"];
    private static readonly Dictionary<string, DayOfWeek> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };
    private static readonly TimeSpan MaxWindow = TimeSpan.FromDays(31);

    public IReadOnlyList<RoutePolicy> Read(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            problems.Add(new PolicyProblem(source, (int)e.Start.Line, "(yaml)", $"not valid YAML: {e.InnerException?.Message ?? e.Message}"));
            return [];
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            Problem(null, "policies", "the file is empty; it must hold a 'policies:' list");
            return [];
        }
        if (stream.Documents.Count > 1)
            Problem(stream.Documents[1].RootNode, "(document)", "a policy file holds one YAML document; put further policies in the same 'policies:' list");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Problem(stream.Documents[0].RootNode, "(root)", "expected a mapping with the keys version and policies");
            return [];
        }

        var fields = Fields(root, "", FileKeys);
        if (fields.TryGetValue("version", out var version)) Int(version, "version", 1, 1, out _);
        if (!fields.TryGetValue("policies", out var list))
        {
            Problem(root, "policies", "missing; list the policies under 'policies:'");
            return [];
        }
        if (list is not YamlSequenceNode { Children.Count: > 0 } sequence)
        {
            Problem(list, "policies", "expected a non-empty list of policies");
            return [];
        }

        var policies = new List<RoutePolicy>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (ReadPolicy(sequence.Children[i], $"policies[{i}]") is { } policy) policies.Add(policy);
        }
        return policies;
    }

    private RoutePolicy? ReadPolicy(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Problem(node, path, "expected a mapping with the keys " + string.Join(", ", PolicyKeys));
            return null;
        }
        var before = problems.Count;
        // Name the policy in every key path once its name is readable: "policies[2] (shop-checkout).max_step_percent".
        var declaredName = mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: "name" }).Value as YamlScalarNode;
        var where = declaredName?.Value is { } dn && NamePattern().IsMatch(dn) ? $"{path} ({dn})" : path;
        var f = Fields(mapping, where, PolicyKeys);

        string? name = null;
        if (!f.TryGetValue("name", out var nameNode)) Problem(mapping, $"{path}.name", "missing; every policy needs a unique name such as 'shop-checkout'");
        else if (String(nameNode, $"{path}.name", out var n))
        {
            if (NamePattern().IsMatch(n)) name = n;
            else Problem(nameNode, $"{path}.name", $"'{n}' is not a valid name; use lowercase letters, digits, '-' and '.', at most 63 characters");
        }
        if (f.TryGetValue("description", out var description)) String(description, $"{where}.description", out _);

        PolicySelector? selector = null;
        if (!f.TryGetValue("selector", out var selectorNode))
            Problem(mapping, $"{where}.selector", "missing; give one of route: <namespace>/<name>, namespace: <namespace> or default: true");
        else selector = ReadSelector(selectorNode, $"{where}.selector");

        IReadOnlyList<string>? allowed = null;
        if (!f.TryGetValue("allowed_actions", out var allowedNode))
            Problem(mapping, $"{where}.allowed_actions", $"missing; list the actions this policy allows, from: {string.Join(", ", ActionNames.All)} (an empty list [] allows no traffic change)");
        else allowed = Actions(allowedNode, $"{where}.allowed_actions");
        var approval = f.TryGetValue("require_approval", out var approvalNode) ? Actions(approvalNode, $"{where}.require_approval") : [];
        if (allowed is not null && approval is not null)
        {
            foreach (var action in approval.Where(a => !PolicyEngine.CountsAsChange(a)))
                Problem(approvalNode, $"{where}.require_approval", $"'{action}' changes no traffic and is always allowed; approval applies to {string.Join(", ", ActionNames.All.Where(PolicyEngine.CountsAsChange))}");
            foreach (var action in approval.Where(a => !allowed.Contains(a) && PolicyEngine.CountsAsChange(a)))
                Problem(approvalNode, $"{where}.require_approval", $"'{action}' is not in allowed_actions, so it can never be approved; add it to allowed_actions or remove it here");
        }

        IReadOnlyList<string>? namespaces = null;
        if (f.TryGetValue("namespaces", out var nsNode) && StringList(nsNode, $"{where}.namespaces", out var ns))
        {
            if (ns.Count == 0) Problem(nsNode, $"{where}.namespaces", "is empty; omit the key to allow every namespace, or list the namespaces changes may happen in");
            foreach (var bad in ns.Where(x => !DnsLabelPattern().IsMatch(x)))
                Problem(nsNode, $"{where}.namespaces", $"'{bad}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)");
            namespaces = ns;
            var selected = selector?.Namespace ?? selector?.Route?.Split('/')[0];
            if (selected is not null && ns.Count > 0 && !ns.Contains(selected))
                Problem(nsNode, $"{where}.namespaces", $"does not include '{selected}', the namespace this policy selects, so it could never allow a change; add it or drop the key");
        }

        var minStable = 0;
        if (f.TryGetValue("min_stable_weight", out var minStableNode)) Int(minStableNode, $"{where}.min_stable_weight", 0, 100, out minStable);
        var maxStep = 100;
        if (f.TryGetValue("max_step_percent", out var maxStepNode)) Int(maxStepNode, $"{where}.max_step_percent", 1, 100, out maxStep);
        var budget = f.TryGetValue("max_changes", out var budgetNode) ? ReadBudget(budgetNode, $"{where}.max_changes") : null;
        var windows = f.TryGetValue("freeze_windows", out var windowsNode) ? ReadFreezeWindows(windowsNode, $"{where}.freeze_windows") : [];

        int? minRps = null, maxRps = null;
        if (f.TryGetValue("min_requests_per_second", out var minRpsNode) && Int(minRpsNode, $"{where}.min_requests_per_second", 1, ProposalLimits.MaxRequestsPerSecond, out var a)) minRps = a;
        if (f.TryGetValue("max_requests_per_second", out var maxRpsNode) && Int(maxRpsNode, $"{where}.max_requests_per_second", 1, ProposalLimits.MaxRequestsPerSecond, out var b)) maxRps = b;
        if (minRps > maxRps)
            Problem(minRpsNode, $"{where}.min_requests_per_second", $"{minRps} is above max_requests_per_second {maxRps}; no rate limit could satisfy both");

        var dryRun = false;
        if (f.TryGetValue("dry_run", out var dryRunNode)) Bool(dryRunNode, $"{where}.dry_run", out dryRun);

        if (problems.Count > before || name is null || selector is null || allowed is null) return null;
        IReadOnlyList<string>? approvers = null;
        if (f.TryGetValue("approvers", out var approversNode) && StringList(approversNode, $"{where}.approvers", out var who))
        {
            foreach (var bad in who.Where(a => !Approvers.IsValidEntry(a)))
                Problem(approversNode, $"{where}.approvers", $"'{bad}' is not an approver; write group:NAME (a group claim of the token) or user:SUBJECT (its subject)");
            if (who.Count == 0) Problem(approversNode, $"{where}.approvers", "is empty; omit the key to let any signed-in person approve, or list who may");
            approvers = who;
        }
        return new RoutePolicy(name, selector, allowed, minStable, maxStep, budget, windows, approval, dryRun, namespaces, minRps, maxRps, source, approvers);
    }

    private PolicySelector? ReadSelector(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Problem(node, path, "expected a mapping with one of route: <namespace>/<name>, namespace: <namespace> or default: true");
            return null;
        }
        var f = Fields(mapping, path, SelectorKeys);
        if (f.Count != 1)
        {
            if (f.Count > 1 || mapping.Children.Count == 0)
                Problem(mapping, path, "give exactly one of route, namespace or default: true");
            return null;
        }
        var (key, value) = f.Single();
        if (!String(value, $"{path}.{key}", out var text)) return null;
        switch (key)
        {
            case "route":
                var parts = text.Split('/');
                if (parts.Length == 2 && DnsLabelPattern().IsMatch(parts[0]) && NamePattern().IsMatch(parts[1]))
                    return new PolicySelector(text, null);
                Problem(value, $"{path}.route", $"'{text}' is not a route of the form <namespace>/<name>, e.g. shop/checkout");
                return null;
            case "namespace":
                if (DnsLabelPattern().IsMatch(text)) return PolicySelector.ForNamespace(text);
                Problem(value, $"{path}.namespace", $"'{text}' is not a Kubernetes namespace name (lowercase letters, digits and '-', at most 63)");
                return null;
            default:
                if (IsPlain(value) && text == "true") return PolicySelector.Default;
                Problem(value, $"{path}.default", $"expected true, got '{text}'; a policy that is not the default selects a route or namespace instead");
                return null;
        }
    }

    private ChangeBudget? ReadBudget(YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Problem(node, path, "expected a mapping such as {count: 3, window: 1h}");
            return null;
        }
        var f = Fields(mapping, path, BudgetKeys);
        int count = 0;
        var countOk = f.TryGetValue("count", out var countNode)
            ? Int(countNode, $"{path}.count", 1, 10_000, out count)
            : Missing(mapping, $"{path}.count", "the number of changes allowed per window, e.g. 3");
        TimeSpan window = default;
        var windowOk = f.TryGetValue("window", out var windowNode)
            ? Duration(windowNode, $"{path}.window", out window)
            : Missing(mapping, $"{path}.window", "the sliding window, e.g. 1h");
        return countOk && windowOk ? new ChangeBudget(count, window) : null;
    }

    private IReadOnlyList<FreezeWindow> ReadFreezeWindows(YamlNode node, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Problem(node, path, "expected a list of windows, each {from, to} with optional name and days");
            return [];
        }
        var windows = new List<FreezeWindow>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (ReadFreezeWindow(sequence.Children[i], $"{path}[{i}]", $"freeze_windows[{i}]") is { } window) windows.Add(window);
        }
        return windows;
    }

    private FreezeWindow? ReadFreezeWindow(YamlNode node, string path, string defaultName)
    {
        const string Valid = "either times of day \"HH:MM\" (UTC, to may be \"24:00\") with optional days, or timestamps with an offset such as 2026-12-24T00:00:00Z";
        if (node is not YamlMappingNode mapping)
        {
            Problem(node, path, $"expected a mapping with from and to: {Valid}");
            return null;
        }
        var f = Fields(mapping, path, FreezeKeys);
        var name = defaultName;
        if (f.TryGetValue("name", out var nameNode) && String(nameNode, $"{path}.name", out var n)) name = n;
        string? fromText = null, toText = null;
        if (!f.TryGetValue("from", out var fromNode)) Missing(mapping, $"{path}.from", Valid);
        else String(fromNode, $"{path}.from", out fromText);
        if (!f.TryGetValue("to", out var toNode)) Missing(mapping, $"{path}.to", Valid);
        else String(toNode, $"{path}.to", out toText);
        if (fromText is null || toText is null) return null;

        if (TryTimeOfDay(fromText, out var fromTime) && fromTime < TimeSpan.FromDays(1) && TryTimeOfDay(toText, out var toTime))
        {
            if (fromTime == toTime)
            {
                Problem(toNode, $"{path}.to", $"'{toText}' equals from; for a whole day use from: \"00:00\" and to: \"24:00\"");
                return null;
            }
            IReadOnlyList<DayOfWeek> days = Enum.GetValues<DayOfWeek>();
            if (f.TryGetValue("days", out var daysNode))
            {
                if (!StringList(daysNode, $"{path}.days", out var dayNames)) return null;
                var unknown = dayNames.Where(d => !DayNames.ContainsKey(d)).ToArray();
                if (unknown.Length > 0 || dayNames.Count == 0)
                {
                    Problem(daysNode, $"{path}.days", $"{(unknown.Length > 0 ? $"'{string.Join("', '", unknown)}' not a day" : "is empty")}; valid: mon, tue, wed, thu, fri, sat, sun");
                    return null;
                }
                days = dayNames.Select(d => DayNames[d]).Distinct().Order().ToArray();
            }
            return new DailyFreezeWindow(name, days, fromTime, toTime);
        }

        if (TryTimestamp(fromText, out var fromAt) && TryTimestamp(toText, out var toAt))
        {
            if (f.TryGetValue("days", out var daysNode))
            {
                Problem(daysNode, $"{path}.days", "days only applies to daily windows given as \"HH:MM\" times; remove it or use times of day");
                return null;
            }
            if (toAt <= fromAt)
            {
                Problem(toNode, $"{path}.to", $"'{toText}' is not after from '{fromText}'");
                return null;
            }
            return new FixedFreezeWindow(name, fromAt, toAt);
        }

        Problem(fromNode, path, $"from '{fromText}' and to '{toText}' must both be {Valid}");
        return null;
    }

    private IReadOnlyList<string>? Actions(YamlNode node, string path)
    {
        if (!StringList(node, path, out var actions)) return null;
        var ok = true;
        foreach (var action in actions.Where(a => !ActionNames.All.Contains(a)))
        {
            ok = false;
            Problem(node, path, $"'{action}' is not an action{Suggest(action, ActionNames.All)}; valid: {string.Join(", ", ActionNames.All)}");
        }
        foreach (var twice in actions.GroupBy(a => a).Where(g => g.Count() > 1))
        {
            ok = false;
            Problem(node, path, $"'{twice.Key}' is listed more than once");
        }
        return ok ? actions : null;
    }

    private Dictionary<string, YamlNode> Fields(YamlMappingNode mapping, string path, IReadOnlyList<string> validKeys)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!validKeys.Contains(key))
                Problem(keyNode, keyPath, $"unknown key{Suggest(key, validKeys)}; valid keys here: {string.Join(", ", validKeys)}");
            else if (!fields.TryAdd(key, value))
                Problem(keyNode, keyPath, "appears more than once");
        }
        return fields;
    }

    private bool Int(YamlNode node, string path, int min, int max, out int value)
    {
        value = 0;
        if (node is YamlScalarNode scalar && IsPlain(scalar)
            && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            && value >= min && value <= max)
            return true;
        Problem(node, path, $"expected {(min == max ? $"{min}" : $"an integer {min}..{max}")}, got {Show(node)}");
        return false;
    }

    private bool Bool(YamlNode node, string path, out bool value)
    {
        value = false;
        if (node is YamlScalarNode scalar && IsPlain(scalar) && scalar.Value is "true" or "false")
        {
            value = scalar.Value == "true";
            return true;
        }
        Problem(node, path, $"expected true or false, got {Show(node)}");
        return false;
    }

    private bool Duration(YamlNode node, string path, out TimeSpan value)
    {
        value = default;
        if (node is YamlScalarNode scalar && PolicyDuration.TryParse(scalar.Value, out value) && value > TimeSpan.Zero && value <= MaxWindow)
            return true;
        Problem(node, path, $"expected a duration from 1s to 31d such as 30m, 1h or 1h30m (units d, h, m, s in that order), got {Show(node)}");
        return false;
    }

    private bool String(YamlNode node, string path, out string value)
    {
        value = "";
        if (node is YamlScalarNode { Value: { Length: > 0 } text })
        {
            value = text;
            return true;
        }
        Problem(node, path, $"expected a non-empty string, got {Show(node)}");
        return false;
    }

    private bool StringList(YamlNode node, string path, out IReadOnlyList<string> values)
    {
        values = [];
        if (node is not YamlSequenceNode sequence || sequence.Children.Any(c => c is not YamlScalarNode { Value.Length: > 0 }))
        {
            Problem(node, path, $"expected a list of names such as [a, b], got {Show(node)}");
            return false;
        }
        values = sequence.Children.Select(c => ((YamlScalarNode)c).Value!).ToArray();
        return true;
    }

    private bool Missing(YamlNode node, string path, string valid)
    {
        Problem(node, path, $"missing; expected {valid}");
        return false;
    }

    private void Problem(YamlNode? node, string key, string message) =>
        problems.Add(new PolicyProblem(source, node is null ? 0 : (int)node.Start.Line, key, message));

    private static bool IsPlain(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any };

    private static string Show(YamlNode node) => node switch
    {
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s when !IsPlain(s) => $"the quoted string \"{s.Value}\"",
        YamlScalarNode s => $"'{s.Value}'",
        YamlSequenceNode => "a list",
        _ => "a mapping",
    };

    private static string Suggest(string given, IReadOnlyList<string> valid)
    {
        if (given.Length >= 4 && valid.FirstOrDefault(v => v.StartsWith(given, StringComparison.Ordinal)) is { } completion)
            return $" (did you mean '{completion}'?)";
        var best = valid.Select(v => (v, d: Distance(given, v))).OrderBy(x => x.d).First();
        return best.d <= Math.Max(2, best.v.Length / 3) ? $" (did you mean '{best.v}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static bool TryTimeOfDay(string text, out TimeSpan time)
    {
        time = default;
        if (text == "24:00")
        {
            time = TimeSpan.FromDays(1);
            return true;
        }
        if (!TimeOfDayPattern().IsMatch(text)) return false;
        time = new TimeSpan(int.Parse(text[..2], CultureInfo.InvariantCulture), int.Parse(text[3..], CultureInfo.InvariantCulture), 0);
        return true;
    }

    // An explicit offset is required: a freeze window that silently moves with the server's time zone is a trap.
    private static bool TryTimestamp(string text, out DateTimeOffset at)
    {
        at = default;
        return TimestampPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabelPattern();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    private static partial Regex TimeOfDayPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampPattern();
}
