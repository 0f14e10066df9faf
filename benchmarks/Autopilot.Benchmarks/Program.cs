// Benchmarks print figures and ratios; they never assert and are never part of the test run.
// Usage: Autopilot.Benchmarks <name> [options]; `./autopilot bench pool` runs the inference-pool benchmark.
using Autopilot.Benchmarks.Pool;
using Autopilot.Benchmarks.Soak;
using Autopilot.Benchmarks.Storm;

var benchmarks = new Dictionary<string, (string Description, Func<string[], Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["pool"] = ("inference pool: batched vs one context per request, prefix reuse, memory under queueing", PoolBenchmark.RunAsync),
    ["storm"] = ("alert storm through the stand-alone webhook: alert-to-change latency, incidents, changes, peak RSS", StormBenchmark.RunAsync),
    ["soak"] = ("one alert a second for 30 minutes: resident memory and managed heap over time", SoakBenchmark.RunAsync),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine("usage: Autopilot.Benchmarks <benchmark> [options]");
    foreach (var (name, (description, _)) in benchmarks) Console.Error.WriteLine($"  {name,-8} {description}");
    return args.Length == 0 ? 2 : 1;
}
try
{
    return await benchmark.Run(args[1..]);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
