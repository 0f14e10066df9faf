// Over 300 lines: front matter parsing and its validation, each error naming file, line and key, in one place.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Autopilot.Remediation.Proposals;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Remediation.Knowledge;

/// <summary>
/// Reads one SOP or post-mortem: Markdown with YAML front matter between "---" lines. Every problem is
/// collected (file, key, what is wrong, what is valid) so an author fixes a file in one pass.
/// Front-matter reference: docs/signals.md.
/// </summary>
public static partial class SopDocument
{
    /// <summary>A label condition starting with this is a regular expression (anchored), e.g. "~checkout-v[0-9]+".</summary>
    public const string RegexPrefix = "~";

    private static readonly string[] Severities = ["critical", "warning", "info"];
    private static readonly string[] KnownKeys =
        ["id", "title", "kind", "severity", "matches", "allowed_actions", "default_action", "default_action_safe", "tags", "reason_about", "confirm_with", "health_bounds",
         "include_annotations"];
    private static readonly string[] RateActions = [ActionNames.SetRateLimit];
    private static readonly string[] WeightActions = [ActionNames.ShiftTraffic, ActionNames.IsolateBackend];

    public static Sop Parse(string text, string path) =>
        TryParse(text, path, out var sop, out var errors) ? sop : throw new SopValidationException(errors);

    public static bool TryParse(string text, string path, [NotNullWhen(true)] out Sop? sop, out IReadOnlyList<SopValidationError> errors)
    {
        var problems = new List<SopValidationError>();
        sop = Read(text ?? "", path, problems);
        errors = problems;
        if (problems.Count == 0) return sop is not null;
        sop = null;
        return false;
    }

    private static Sop? Read(string text, string path, List<SopValidationError> problems)
    {
        void Problem(string key, string message, YamlNode? node = null) =>
            problems.Add(new SopValidationError(path, key, message, node is null ? null : (int)node.Start.Line + 1)); // +1: the opening '---' line

        if (!SplitFrontMatter(text, out var yaml, out var body))
        {
            Problem("(front matter)", "the file must start with a line '---', then YAML, then a closing '---' line");
            return null;
        }

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                Problem("(front matter)", "must be a YAML mapping of keys (id, title, kind, ...)");
                return null;
            }
            root = mapping;
        }
        catch (YamlException ex)
        {
            problems.Add(new SopValidationError(path, "(front matter)", $"is not valid YAML: {ex.InnerException?.Message ?? ex.Message}",
                (int)ex.Start.Line + 1)); // +1: the opening '---' line
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws these for some malformed input instead of a YamlException.
            Problem("(front matter)", $"is not valid YAML: {ex.Message}");
            return null;
        }

        var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!KnownKeys.Contains(key))
                Problem(key, $"unknown key; valid keys are {string.Join(", ", KnownKeys)}", keyNode);
            else if (!keys.TryAdd(key, value))
                Problem(key, "appears more than once", keyNode);
        }

        var id = Scalar(keys, "id", Problem, required: true);
        if (id is not null && !IdPattern().IsMatch(id))
            Problem("id", $"'{id}' must be lower-case letters, digits and '-' (e.g. canary-high-error-rate)", keys["id"]);

        var title = Scalar(keys, "title", Problem, required: true);

        var kindText = Scalar(keys, "kind", Problem, required: false) ?? "sop";
        KnowledgeKind kind = KnowledgeKind.Sop;
        if (kindText is "post-mortem" or "postmortem") kind = KnowledgeKind.PostMortem;
        else if (kindText != "sop") Problem("kind", $"'{kindText}' is not a kind; expected sop or post-mortem", keys.GetValueOrDefault("kind"));

        var severity = Scalar(keys, "severity", Problem, required: true);
        if (severity is not null && !Severities.Contains(severity))
            Problem("severity", $"'{severity}' is not a severity; expected one of {string.Join(", ", Severities)}", keys["severity"]);

        var matches = ReadMatches(keys.GetValueOrDefault("matches"), kind, Problem);
        var allowed = ReadAllowedActions(keys.GetValueOrDefault("allowed_actions"), kind, Problem);

        var defaultAction = Scalar(keys, "default_action", Problem, required: kind == KnowledgeKind.Sop)
            ?? ActionNames.Escalate;
        if (!ActionNames.All.Contains(defaultAction))
            Problem("default_action", $"'{defaultAction}' is not an action; expected one of {string.Join(", ", ActionNames.All)}", keys.GetValueOrDefault("default_action"));
        else if (kind == KnowledgeKind.Sop && allowed.Count > 0 && allowed.All(a => a.Action != defaultAction))
            Problem("default_action", $"'{defaultAction}' must be one of this SOP's allowed_actions ({string.Join(", ", allowed.Select(a => a.Action))})", keys.GetValueOrDefault("default_action"));

        var safeText = Scalar(keys, "default_action_safe", Problem, required: kind == KnowledgeKind.Sop) ?? "false";
        var defaultSafe = false;
        if (safeText is "true" or "false") defaultSafe = safeText == "true";
        else Problem("default_action_safe", $"'{safeText}' must be true or false", keys.GetValueOrDefault("default_action_safe"));

        var tags = new List<string>();
        if (keys.GetValueOrDefault("tags") is { } tagsNode)
        {
            if (tagsNode is YamlSequenceNode tagList)
                tags.AddRange(tagList.Children.Select((t, i) => (t as YamlScalarNode)?.Value ?? Invalid($"tags[{i}]", "must be a string", t)));
            else Problem("tags", "must be a list of strings", tagsNode);
        }

        var reasonAbout = NameList(keys, "reason_about", "a Prometheus label name", "label names", "dependency", Problem);

        Confirmation? confirmWith = null;
        if (Scalar(keys, "confirm_with", Problem, required: false) is { } confirmText)
        {
            confirmWith = confirmText switch
            {
                "named_backend" => Confirmation.NamedBackend,
                "any_backend" => Confirmation.AnyBackend,
                "nothing" => Confirmation.Nothing,
                _ => null,
            };
            if (confirmWith is null)
                Problem("confirm_with", $"'{confirmText}' is not a confirmation; expected named_backend, any_backend or nothing", keys.GetValueOrDefault("confirm_with"));
        }

        var healthBounds = ReadHealthBounds(keys.GetValueOrDefault("health_bounds"), Problem);

        // Annotations are free text (summary, description): the fact sheet shows them only when the SOP asks.
        var includeAnnotations = NameList(keys, "include_annotations", "an annotation name", "annotation names", "summary", Problem);

        string Invalid(string key, string message, YamlNode node)
        {
            Problem(key, message, node);
            return "";
        }

        if (string.IsNullOrWhiteSpace(body))
            Problem("(body)", "the Markdown body after the front matter is empty; write the runbook (symptoms, diagnosis, mitigation, verification, escalation)");

        if (problems.Count > 0) return null;
        return new Sop(id!, title!, kind, matches, allowed, defaultAction, defaultSafe, severity!, body.Trim(), path) { Tags = tags, ReasonAbout = reasonAbout, ConfirmWith = confirmWith, HealthBounds = healthBounds,
            IncludeAnnotations = includeAnnotations };
    }

    private static SopMatchRule ReadMatches(YamlNode? node, KnowledgeKind kind, Action<string, string, YamlNode?> problem)
    {
        var names = new List<string>();
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node is null)
        {
            if (kind == KnowledgeKind.Sop) problem("matches", "is required: which alerts (matches.alerts) and labels (matches.labels) this SOP is for", null);
            return new SopMatchRule(names, labels);
        }
        if (node is not YamlMappingNode mapping)
        {
            problem("matches", "must be a mapping with 'alerts' and/or 'labels'", node);
            return new SopMatchRule(names, labels);
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (key == "alerts")
            {
                if (value is not YamlSequenceNode list)
                {
                    problem("matches.alerts", "must be a list of alert names", value);
                    continue;
                }
                for (var i = 0; i < list.Children.Count; i++)
                {
                    if (list.Children[i] is YamlScalarNode { Value: { Length: > 0 } name } && AlertNamePattern().IsMatch(name)) names.Add(name);
                    else problem($"matches.alerts[{i}]", "must be an alert name (letters, digits, '_')", list.Children[i]);
                }
            }
            else if (key == "labels")
            {
                if (value is not YamlMappingNode labelMap)
                {
                    problem("matches.labels", "must be a mapping of label name to value or ~regex", value);
                    continue;
                }
                foreach (var (labelKey, labelValue) in labelMap.Children)
                {
                    var labelName = (labelKey as YamlScalarNode)?.Value ?? "";
                    var field = $"matches.labels.{labelName}";
                    if (!Alerts.AlertPayloadParser.IsValidLabelName(labelName, 128))
                        problem(field, "is not a Prometheus label name", labelKey);
                    else if (labelValue is not YamlScalarNode { Value: { } text })
                        problem(field, "must be a string value (exact) or ~regex", labelValue);
                    else if (text.StartsWith(RegexPrefix, StringComparison.Ordinal) && !IsValidRegex(text[RegexPrefix.Length..]))
                        problem(field, $"'{text}' is not a valid regular expression", labelValue);
                    else
                        labels[labelName] = text;
                }
            }
            else
            {
                problem($"matches.{key}", "unknown key; valid keys are alerts, labels", keyNode);
            }
        }
        if (kind == KnowledgeKind.Sop && names.Count == 0 && labels.Count == 0)
            problem("matches", "must name at least one alert (matches.alerts) or label (matches.labels)", node);
        return new SopMatchRule(names, labels);
    }

    private static List<AllowedAction> ReadAllowedActions(YamlNode? node, KnowledgeKind kind, Action<string, string, YamlNode?> problem)
    {
        var result = new List<AllowedAction>();
        if (node is null)
        {
            if (kind == KnowledgeKind.Sop) problem("allowed_actions", $"is required: a list of actions ({string.Join(", ", ActionNames.All)})", null);
            return result;
        }
        if (node is not YamlSequenceNode list)
        {
            problem("allowed_actions", "must be a list", node);
            return result;
        }

        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var at = $"allowed_actions[{i}]";
            string? action;
            var bounds = new Dictionary<string, (int Value, YamlNode Node)>(StringComparer.Ordinal);
            if (item is YamlScalarNode scalar)
            {
                action = scalar.Value;
            }
            else if (item is YamlMappingNode map)
            {
                action = null;
                foreach (var (keyNode, value) in map.Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? "";
                    if (key == "action")
                    {
                        action = (value as YamlScalarNode)?.Value;
                        continue;
                    }
                    if (!BoundKeys.Contains(key))
                    {
                        problem($"{at}.{key}", $"unknown key; valid keys are action, {string.Join(", ", BoundKeys)}", keyNode);
                        continue;
                    }
                    if (value is YamlScalarNode { Value: { } number } && int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                        bounds[key] = (parsed, value);
                    else
                        problem($"{at}.{key}", "must be an integer", value);
                }
            }
            else
            {
                problem(at, "must be an action name or a mapping with 'action' and bounds", item);
                continue;
            }

            if (action is null || !ActionNames.All.Contains(action))
            {
                problem($"{at}.action", $"'{action}' is not an action; expected one of {string.Join(", ", ActionNames.All)}", item);
                continue;
            }
            if (result.Any(a => a.Action == action))
            {
                problem($"{at}.action", $"'{action}' is listed more than once", item);
                continue;
            }

            int? Bound(string key, int min, int max, string[] forActions)
            {
                if (!bounds.TryGetValue(key, out var bound)) return null;
                if (!forActions.Contains(action))
                {
                    problem($"{at}.{key}", $"does not apply to {action}; it applies to {string.Join(", ", forActions)}", bound.Node);
                    return null;
                }
                if (bound.Value < min || bound.Value > max)
                {
                    problem($"{at}.{key}", $"{bound.Value} is out of range; expected {min}..{max}", bound.Node);
                    return null;
                }
                return bound.Value;
            }

            var allowed = new AllowedAction(
                action,
                MaxStepPercent: Bound("max_step_percent", 1, 100, [ActionNames.ShiftTraffic]),
                MinStableWeight: Bound("min_stable_weight", 0, 100, WeightActions),
                MinRequestsPerSecond: Bound("min_requests_per_second", 1, 1_000_000, RateActions),
                MaxRequestsPerSecond: Bound("max_requests_per_second", 1, 1_000_000, RateActions));
            if (allowed is { MinRequestsPerSecond: { } low, MaxRequestsPerSecond: { } high } && low > high)
                problem($"{at}.min_requests_per_second", $"{low} is above max_requests_per_second {high}", item);
            result.Add(allowed);
        }
        if (kind == KnowledgeKind.Sop && result.Count == 0 && list.Children.Count == 0)
            problem("allowed_actions", "must list at least one action (escalate if nothing automatic is safe)", node);
        return result;
    }

    /// <summary>A list of label or annotation names (letters, digits, '_'); each bad entry is a problem naming its index.</summary>
    private static List<string> NameList(Dictionary<string, YamlNode> keys, string key, string one, string many, string example,
        Action<string, string, YamlNode?> problem)
    {
        var names = new List<string>();
        if (keys.GetValueOrDefault(key) is not { } node) return names;
        if (node is not YamlSequenceNode list)
        {
            problem(key, $"must be a list of {many}, e.g. [{example}]", node);
            return names;
        }
        for (var i = 0; i < list.Children.Count; i++)
        {
            if (list.Children[i] is YamlScalarNode { Value: { } name } && Alerts.AlertPayloadParser.IsValidLabelName(name, 128)) names.Add(name);
            else problem($"{key}[{i}]", $"must be {one} (letters, digits, '_'), e.g. {example}", list.Children[i]);
        }
        return names;
    }

    /// <summary>health_bounds: {max_error_ratio: 0..1, max_p99_ms: 1..600000, max_restarts: 0..1000000}, each optional.</summary>
    private static SopHealthBounds? ReadHealthBounds(YamlNode? node, Action<string, string, YamlNode?> problem)
    {
        if (node is null) return null;
        if (node is not YamlMappingNode mapping)
        {
            problem("health_bounds", "must be a mapping, e.g. {max_error_ratio: 0.02, max_p99_ms: 500, max_restarts: 3}", node);
            return null;
        }
        double? Number(string key, double min, double max)
        {
            if (!mapping.Children.TryGetValue(new YamlScalarNode(key), out var value)) return null;
            if (value is YamlScalarNode { Value: { } text }
                && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
                && number >= min && number <= max)
                return number;
            problem($"health_bounds.{key}", $"must be a number from {min.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {max.ToString(System.Globalization.CultureInfo.InvariantCulture)}", value);
            return null;
        }
        foreach (var key in mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")
                     .Where(k => k is not ("max_error_ratio" or "max_p99_ms" or "max_restarts")))
            problem($"health_bounds.{key}", "unknown key; valid keys are max_error_ratio, max_p99_ms, max_restarts", node);
        var restarts = Number("max_restarts", 0, 1_000_000);
        if (restarts is { } r && r != Math.Floor(r))
        {
            problem("health_bounds.max_restarts", "must be a whole number", node);
            restarts = null;
        }
        return new SopHealthBounds(Number("max_error_ratio", 0, 1), Number("max_p99_ms", 1, 600_000), (int?)restarts);
    }

    private static readonly string[] BoundKeys =
        ["max_step_percent", "min_stable_weight", "min_requests_per_second", "max_requests_per_second"];

    private static string? Scalar(Dictionary<string, YamlNode> keys, string key, Action<string, string, YamlNode?> problem, bool required)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            if (required) problem(key, "is required", null);
            return null;
        }
        if (node is YamlScalarNode { Value: { } value } && !string.IsNullOrWhiteSpace(value)) return value.Trim();
        problem(key, "must be a non-empty single value", node);
        return null;
    }

    private static bool SplitFrontMatter(string text, out string yaml, out string body)
    {
        yaml = body = "";
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length < 2 || lines[0].TrimEnd() != "---") return false;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() is not ("---" or "...")) continue;
            yaml = string.Join('\n', lines[1..i]);
            body = string.Join('\n', lines[(i + 1)..]);
            return true;
        }
        return false;
    }

    private static bool IsValidRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>True when the alert has the label and its value equals the condition (or matches the
    /// anchored ~regex).</summary>
    public static bool LabelMatches(string condition, string? value)
    {
        if (value is null) return false;
        if (!condition.StartsWith(RegexPrefix, StringComparison.Ordinal)) return string.Equals(condition, value, StringComparison.Ordinal);
        try
        {
            return Regex.IsMatch(value, $"^(?:{condition[RegexPrefix.Length..]})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,126}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex AlertNamePattern();
}
