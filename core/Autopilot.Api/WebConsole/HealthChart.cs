using System.Globalization;
using System.Text.Encodings.Web;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Compaction;
using Microsoft.AspNetCore.Components;

namespace Autopilot.Api.WebConsole;

/// <summary>One backend's line on a panel: SVG polyline points and a dot (with its reading) per sample.</summary>
public sealed record ChartSeries(string Backend, string Colour, string Points, IReadOnlyList<ChartDot> Dots);

public sealed record ChartDot(double X, double Y, string Reading);

/// <summary>A vertical line at a moment of the incident: the change, each verification, the undo.</summary>
public sealed record ChartMark(double X, string Label, string Kind);

/// <summary>One signal (error ratio or p99) of every backend, with the incident's bound as a dashed line when known.</summary>
public sealed record ChartPanel(string Title, string TopLabel, IReadOnlyList<ChartSeries> Series, double? BoundY, string? BoundLabel);

/// <summary>
/// The chart of an incident's health, drawn on the server as inline SVG (no script, nothing to fetch): each backend's
/// error ratio and p99 from the samples the record holds (those triage read, and those each verification read), with
/// the change and the verifications marked.
/// </summary>
public sealed record HealthChart(IReadOnlyList<ChartPanel> Panels, IReadOnlyList<ChartMark> Marks, int Samples)
{
    public const double Width = 640, PanelHeight = 150, Left = 64, Right = 12, Top = 12, Bottom = 8;

    private static readonly string[] Colours = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

    public static HealthChart Of(IncidentRecord incident)
    {
        var samples = incident.Metrics.Concat(incident.Verifications.SelectMany(v => v.Metrics)).OrderBy(s => s.At).ToList();
        var marks = new List<(DateTimeOffset At, string Label, string Kind)>();
        if (incident.Decision is { Status: DecisionStatus.Applied or DecisionStatus.DryRun } decision)
            marks.Add((decision.Result?.At ?? decision.DecidedAt, decision.Status == DecisionStatus.DryRun ? "change (dry run)" : "change", "change"));
        marks.AddRange(incident.Verifications.Select(v => (v.At, v.Healthy ? "verified healthy" : "verified unhealthy", v.Healthy ? "verify-ok" : "verify-bad")));
        if (incident.Undo is { Status: DecisionStatus.Undone } undo) marks.Add((undo.Result?.At ?? undo.DecidedAt, "undo", "undo"));

        var times = samples.Select(s => s.At).Concat(marks.Select(m => m.At)).ToList();
        var from = times.Count > 0 ? times.Min() : incident.OpenedAt;
        var to = times.Count > 0 ? times.Max() : incident.UpdatedAt;
        if (to - from < TimeSpan.FromSeconds(1)) (from, to) = (from - TimeSpan.FromSeconds(15), to + TimeSpan.FromSeconds(15));
        double X(DateTimeOffset at) => Left + (at - from).TotalMilliseconds / (to - from).TotalMilliseconds * (Width - Left - Right);

        var backends = samples.Select(s => s.Version).Distinct(StringComparer.Ordinal).ToList();
        var bounds = incident.HealthBounds;
        return new HealthChart(
        [
            Panel("Error ratio", samples, backends, s => s.ErrorRatio, ConsoleText.Ratio, bounds?.MaxErrorRatio, 0.01, X),
            Panel("p99 latency", samples, backends, s => s.P99LatencyMs, ConsoleText.Milliseconds, bounds?.MaxP99LatencyMs, 10, X),
        ], [.. marks.Select(m => new ChartMark(X(m.At), m.Label, m.Kind))], samples.Count);
    }

    private static ChartPanel Panel(string title, List<MetricSnapshot> samples, List<string> backends, Func<MetricSnapshot, double> value,
        Func<double, string> format, double? bound, double floor, Func<DateTimeOffset, double> x)
    {
        var readings = samples.Select(value).Where(v => !double.IsNaN(v) && !double.IsInfinity(v)).ToList();
        var top = Math.Max(floor, Math.Max(readings.DefaultIfEmpty(0).Max(), bound is { } b && !double.IsNaN(b) ? b : 0) * 1.1);
        double Y(double v) => Top + (1 - v / top) * (PanelHeight - Top - Bottom);
        var series = backends.Select((backend, i) =>
        {
            var dots = samples.Where(s => s.Version == backend && !double.IsNaN(value(s)) && !double.IsInfinity(value(s)))
                .Select(s => new ChartDot(x(s.At), Y(value(s)), $"{backend} {format(value(s))} at {ConsoleText.Time(s.At)}")).ToList();
            return new ChartSeries(backend, Colours[i % Colours.Length], string.Join(' ', dots.Select(d => $"{Number(d.X)},{Number(d.Y)}")), dots);
        }).ToList();
        return new ChartPanel(title, format(top), series, bound is { } limit && !double.IsNaN(limit) ? Y(limit) : null,
            bound is { } shown && !double.IsNaN(shown) ? $"bound {format(shown)}" : null);
    }

    public static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>An SVG text element, its content encoded.</summary>
    public static MarkupString Label(double x, double y, string content, string anchor = "start") =>
        new($"<text x=\"{Number(x)}\" y=\"{Number(y)}\" text-anchor=\"{anchor}\">{HtmlEncoder.Default.Encode(content)}</text>");
}
