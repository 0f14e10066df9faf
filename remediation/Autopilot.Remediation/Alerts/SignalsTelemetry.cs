using System.Diagnostics.Metrics;

namespace Autopilot.Remediation.Alerts;

/// <summary>Metrics of the signals stage (meter "Autopilot.Signals"; hosts export every "Autopilot.*" meter).
/// Rejections are tagged with the field so a misconfigured producer shows up as one line on a dashboard.</summary>
public static class SignalsTelemetry
{
    public const string MeterName = "Autopilot.Signals";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> AlertsParsed =
        Meter.CreateCounter<long>("autopilot.alerts.parsed", "{alert}", "Alerts accepted from webhook or topic payloads");

    private static readonly Counter<long> PayloadsRejected =
        Meter.CreateCounter<long>("autopilot.alerts.rejected", "{payload}", "Alert payloads rejected, by the field at fault");

    private static readonly Counter<long> AlertsUnresolved =
        Meter.CreateCounter<long>("autopilot.alerts.unresolved", "{alert}", "Alerts no workload key could be derived for");

    private static readonly Histogram<int> FactsDropped =
        Meter.CreateHistogram<int>("autopilot.factsheet.facts_dropped", "{fact}", "Facts left out of a fact sheet to fit the token budget");

    private static readonly Counter<long> SopReindexes =
        Meter.CreateCounter<long>("autopilot.sops.reindexed", "{rebuild}", "Rebuilds of the SOP search index");

    internal static void Parsed(ParseOutcome<AlertBatch> outcome)
    {
        if (outcome.IsSuccess) AlertsParsed.Add(outcome.Value!.Alerts.Count);
        else PayloadsRejected.Add(1, new KeyValuePair<string, object?>("field", FieldFamily(outcome.Error!.Field)));
    }

    internal static void Unresolved(int count)
    {
        if (count > 0) AlertsUnresolved.Add(count);
    }

    internal static void FactSheetBuilt(int dropped) => FactsDropped.Record(dropped);

    internal static void SopIndexRebuilt() => SopReindexes.Add(1);

    private static readonly HashSet<string> Maps = ["labels", "annotations", "groupLabels", "commonLabels", "commonAnnotations"];

    /// <summary>"alerts[17].labels.namespace" → "alerts[].labels": indexes and map keys are input-controlled,
    /// so they are cut to keep the tag's cardinality bounded.</summary>
    internal static string FieldFamily(string field)
    {
        var family = new List<string>();
        foreach (var segment in field.Split('.'))
        {
            var bracket = segment.IndexOf('[');
            family.Add(bracket < 0 ? segment : segment[..bracket] + "[]");
            if (Maps.Contains(segment) || family.Count == 4) break;
        }
        return string.Join('.', family);
    }
}
