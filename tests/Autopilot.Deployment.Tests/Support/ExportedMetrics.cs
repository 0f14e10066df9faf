using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>
/// The metric names the apps really export, as Prometheus reads them: each app is built as its Program builds it, every
/// instrument of an "Autopilot.*" meter gets one zero measurement (the exporter leaves out an instrument nothing was
/// recorded on yet: a counter of changes applied appears after the first change), then each app's /metrics is scraped
/// and the names of its samples are read. The names are the exporter's (dots to underscores, unit and _total suffixes),
/// never derived by this test. In one test process every app's exporter also sees the other apps' "Autopilot.*" meters,
/// so what this can tell is the union: a name some app exports.
/// </summary>
public static partial class ExportedMetrics
{
    private static readonly Lazy<Task<IReadOnlySet<string>>> Scraped = new(ScrapeAsync);

    /// <summary>Sample names (histograms as _bucket, _sum and _count) of every app's /metrics.</summary>
    public static Task<IReadOnlySet<string>> NamesAsync() => Scraped.Value;

    private static async Task<IReadOnlySet<string>> ScrapeAsync()
    {
        var instruments = new List<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name.StartsWith("Autopilot", StringComparison.Ordinal))
                    lock (instruments) instruments.Add(instrument);
            };
            listener.Start();
            var apps = RunningApps.Scrapeable();
            lock (instruments)
            {
                foreach (var instrument in instruments) RecordZero(instrument);
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (_, client, _) in apps)
                names.UnionWith(SampleNames(await client.GetStringAsync("/metrics")));
            return names;
        }
    }

    private static void RecordZero(Instrument instrument)
    {
        switch (instrument)
        {
            case Counter<long> c: c.Add(0); break;
            case Counter<int> c: c.Add(0); break;
            case Counter<double> c: c.Add(0); break;
            case UpDownCounter<long> c: c.Add(0); break;
            case UpDownCounter<int> c: c.Add(0); break;
            case Histogram<double> h: h.Record(0); break;
            case Histogram<long> h: h.Record(0); break;
            case Histogram<int> h: h.Record(0); break;
            case Gauge<double> g: g.Record(0); break;
            case Gauge<long> g: g.Record(0); break;
            // Observable instruments are read by the exporter at each scrape.
        }
    }

    public static IReadOnlySet<string> SampleNames(string exposition) =>
        exposition.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => SampleName().Match(line).Value)
            .Where(name => name.Length > 0)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SampleName();
}
