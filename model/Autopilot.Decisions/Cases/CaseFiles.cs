using System.Text.Json;
using System.Text.Json.Serialization;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Decisions.Cases;

/// <summary>Reads and writes decision cases as JSON lines (one case per line, camelCase keys), the format an operator
/// adds cases in. A bad line is reported with its file, line number and field, never skipped silently.</summary>
public static class CaseFiles
{
    public const string Extension = ".jsonl";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        RespectRequiredConstructorParameters = true,
    };

    public static void Write(string path, IEnumerable<DecisionCase> cases)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp, append: false, new System.Text.UTF8Encoding(false)))
        {
            writer.NewLine = "\n";
            foreach (var c in cases) writer.WriteLine(JsonSerializer.Serialize(c, Json));
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Every case of a file, or of every *.jsonl file of a directory (sorted by name).</summary>
    /// <exception cref="CaseFormatException">A line is not a valid case.</exception>
    public static IReadOnlyList<DecisionCase> Read(string path)
    {
        if (Directory.Exists(path))
            return [.. Directory.GetFiles(path, "*" + Extension).Order(StringComparer.Ordinal).SelectMany(ReadFile)];
        if (!File.Exists(path))
            throw new FileNotFoundException($"No case file or directory at '{path}'.", path);
        return ReadFile(path);
    }

    private static IReadOnlyList<DecisionCase> ReadFile(string file)
    {
        var cases = new List<DecisionCase>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            DecisionCase? c;
            try
            {
                c = JsonSerializer.Deserialize<DecisionCase>(line, Json);
            }
            catch (JsonException e)
            {
                throw new CaseFormatException(file, number, e.Path ?? "$", e.Message);
            }
            if (c is null) throw new CaseFormatException(file, number, "$", "the line is null, not a case object");
            if (Problem(c) is { } problem) throw new CaseFormatException(file, number, problem.Field, problem.Message);
            if (!ids.Add(c.Id)) throw new CaseFormatException(file, number, "id", $"'{c.Id}' appears twice in this file");
            cases.Add(c);
        }
        return cases;
    }

    /// <summary>The first thing wrong with a case that parsed as JSON.</summary>
    public static (string Field, string Message)? Problem(DecisionCase c)
    {
        if (string.IsNullOrWhiteSpace(c.Id)) return ("id", "is empty");
        if (c.Workload.Split('/') is not [{ Length: > 0 }, { Length: > 0 }]) return ("workload", $"'{c.Workload}' is not namespace/name");
        if (c.Alerts.Count == 0) return ("alerts", "a case needs at least one alert");
        for (var i = 0; i < c.Alerts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(c.Alerts[i].Name)) return ($"alerts[{i}].name", "is empty");
            if (c.Alerts[i].Status is not ("firing" or "resolved")) return ($"alerts[{i}].status", $"'{c.Alerts[i].Status}' is not firing or resolved");
        }
        if (c.Route is { } route)
        {
            if (route.Name.Split('/') is not [{ Length: > 0 }, { Length: > 0 }]) return ("route.name", $"'{route.Name}' is not namespace/name");
            if (route.Backends.Count == 0) return ("route.backends", "a route needs at least one backend");
            if (route.Backends.Select(b => b.Name).Distinct(StringComparer.Ordinal).Count() != route.Backends.Count)
                return ("route.backends", "a backend is listed twice");
            if (route.Backends.Any(b => b.Weight < 0)) return ("route.backends", "weights must not be negative");
        }
        var known = ActionNames.All;
        foreach (var (field, actions) in new[] { ("expect.actions", c.Expect.Actions), ("expect.forbidden", c.Expect.Forbidden) })
        {
            if (actions.FirstOrDefault(a => !known.Contains(a)) is { } unknown)
                return (field, $"'{unknown}' is not an action; valid: {string.Join(", ", known)}");
        }
        if (c.Expect.Actions.Count == 0 && c.Expect.Forbidden.Count == 0)
            return ("expect", "give the acceptable actions (expect.actions) or the wrong ones (expect.forbidden)");
        if (c.Target is { } target && ProposalJsonProbe.Action(target) is null)
            return ("target", "is not a proposal in the wire form, e.g. {\"action\":\"escalate\",\"reason\":\"...\"}");
        return null;
    }
}

public sealed class CaseFormatException(string file, int line, string field, string message)
    : Exception($"{file}:{line}: {field}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Field { get; } = field;
}

/// <summary>Reads just the action of a proposal in wire form (no SOP bounds needed).</summary>
internal static class ProposalJsonProbe
{
    public static string? Action(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String
                && ActionNames.All.Contains(a.GetString()) ? a.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
