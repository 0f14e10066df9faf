using Autopilot.Decisions;
using System.CommandLine;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Scenarios;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Commands;
using Autopilot.Standalone.Demo;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

// autopilot demo | serve: the stand-alone loop against the simulated cluster (see docs/standalone.md).
var scenarioOption = new Option<string>("--scenario") { Description = "Scenario name from simulator/scenarios (default: bad-canary)", DefaultValueFactory = _ => "bad-canary" };
var modelOption = new Option<string?>("--model") { Description = $"A GGUF model file (default: the shipped decision model, {ShippedModel.ModelPath})" };
var prometheusOption = new Option<bool>("--with-prometheus") { Description = "Use real prometheus + prometheus-alertmanager instead of the built-in evaluator" };
var stateOption = new Option<string?>("--state") { Description = "State directory (default: .autopilot/state/<scenario>-<time>)" };
var logOption = new Option<string?>("--log") { Description = "Write the host's log to this file" };
var stayOption = new Option<bool>("--stay") { Description = "After the summary, keep the host and its console running until Ctrl+C" };

var demo = new Command("demo", "Run a scenario end to end and print the timeline; exit 0 only if its expected outcome happened")
{
    scenarioOption, modelOption, prometheusOption, stateOption, logOption, stayOption,
};
demo.SetAction(async (parse, ct) =>
{
    var root = Directory.GetCurrentDirectory();
    var console = AnsiConsole.Console;
    Scenario scenario;
    try
    {
        scenario = ScenarioLoader.Find(Path.Combine(root, "simulator", "scenarios"), parse.GetValue(scenarioOption)!);
    }
    catch (Exception e) when (e is ScenarioException or DirectoryNotFoundException)
    {
        console.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
        return 2;
    }
    var model = parse.GetValue(modelOption) ?? Path.Combine(root, ShippedModel.ModelPath);
    if (!File.Exists(model))
    {
        console.MarkupLine($"[red]--model: the file {Markup.Escape(model)} does not exist; give a GGUF file, or run ./autopilot train to make the default model.[/]");
        return 2;
    }
    var withPrometheus = parse.GetValue(prometheusOption);
    if (withPrometheus && PrometheusStack.MissingBinaries() is { } missing)
    {
        console.MarkupLine($"[red]--with-prometheus: {Markup.Escape(missing)}[/]");
        return 2;
    }
    var state = parse.GetValue(stateOption) ?? Path.Combine(root, ".autopilot", "state", $"{scenario.Name}-{DateTime.UtcNow:yyyyMMddTHHmmss}");
    var logPath = parse.GetValue(logOption) ?? Path.Combine(state, "autopilot.log");
    Directory.CreateDirectory(state);
    using var logs = new FileLoggerProvider(logPath);
    var timeline = new TimelineRenderer(console);
    var stay = parse.GetValue(stayOption);
    var report = await ScenarioRunner.RunAsync(scenario, new ScenarioRunOptions
    {
        ContentRoot = root,
        StateDirectory = state,
        ModelPath = Path.GetFullPath(model),
        WithPrometheus = withPrometheus,
        Logs = logs,
        Finished = async (report, ct) =>
        {
            timeline.Summary(report);
            console.MarkupLine($"[grey]audit trail: {Markup.Escape(Path.Combine(state, "incidents"))} · log: {Markup.Escape(logPath)}[/]");
            if (!stay) return;
            console.MarkupLine("still running for the console (--stay); Ctrl+C stops");
            await WaitForCtrlC(ct);
        },
    }, timeline, ct);
    return report.Passed ? 0 : 1;
});

var clusterUrlOption = new Option<string?>("--cluster-url") { Description = "Run against this Kubernetes API (e.g. a simulator started elsewhere) instead of an in-process simulated cluster; needs --prometheus-url" };
var clusterTokenOption = new Option<string>("--cluster-token") { Description = "Bearer token for --cluster-url (default: the simulator's gateway-bridge token)", DefaultValueFactory = _ => SimulatedEnvironment.BridgeToken };
var prometheusUrlOption = new Option<string?>("--prometheus-url") { Description = "With --cluster-url: read health from this Prometheus; alerts arrive on POST /alertmanager" };
var portOption = new Option<int>("--port") { Description = "Loopback port of the webhook and incidents API (default: a free one)" };
var policiesOption = new Option<string?>("--policies") { Description = "Policy directory (default: policies/)" };

var serve = new Command("serve", "Run autopilot against the simulated shop/checkout (or --cluster-url) until Ctrl+C; inject faults through the simulator's knobs")
{
    modelOption, stateOption, logOption, clusterUrlOption, clusterTokenOption, prometheusUrlOption, portOption, policiesOption,
};
serve.SetAction(async (parse, ct) =>
{
    var root = Directory.GetCurrentDirectory();
    if (ServeArguments.Problem(parse.GetValue(clusterUrlOption), parse.GetValue(prometheusUrlOption), parse.GetValue(portOption), parse.GetValue(policiesOption)) is { } problem)
    {
        AnsiConsole.MarkupLine($"[red]{Markup.Escape(problem)}[/]");
        return 2;
    }
    var state = parse.GetValue(stateOption) ?? Path.Combine(root, ".autopilot", "state", "serve");
    using var logs = new FileLoggerProvider(parse.GetValue(logOption) ?? Path.Combine(state, "autopilot.log"));
    using var loggers = LoggerFactory.Create(b => b.AddProvider(new NonOwningLoggerProvider(logs)));
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    // An external cluster outlives this process (a restart resumes against the same routes); otherwise the
    // simulated cluster and its built-in evaluator live here.
    SimulatedEnvironment? environment = null;
    var clusterUrl = parse.GetValue(clusterUrlOption);
    var prometheusUrl = parse.GetValue(prometheusUrlOption);
    SeriesHistory? builtinSeries = null;
    if (clusterUrl is null)
    {
        environment = await SimulatedEnvironment.StartAsync([WorkloadSpec.Checkout()], loggers, ct);
        builtinSeries = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http).History;
    }
    var model = parse.GetValue(modelOption) ?? Path.Combine(root, ShippedModel.ModelPath);
    if (!File.Exists(model))
    {
        AnsiConsole.MarkupLine($"[red]--model: the file {Markup.Escape(model)} does not exist; give a GGUF file, or run ./autopilot train to make the default model.[/]");
        return 2;
    }
    var policies = parse.GetValue(policiesOption);
    var settings = new StandaloneSettings
    {
        StateDirectory = state,
        ContentRoot = root,
        KubernetesUrl = environment?.Kube.Url ?? new Uri(clusterUrl!),
        KubernetesToken = environment is null ? parse.GetValue(clusterTokenOption)! : SimulatedEnvironment.BridgeToken,
        ModelPath = Path.GetFullPath(model),
        PrometheusUrl = prometheusUrl is null ? null : new Uri(prometheusUrl),
        BuiltinSeries = builtinSeries,
        Port = parse.GetValue(portOption),
        Configuration = ServeArguments.Configuration(policies),
    };
    await using (environment)
    {
        await using var host = await AutopilotHost.StartAsync(settings, logs, ct);
        if (environment is not null) environment.Notifier!.Target(host.WebhookUrl, host.WebhookToken);
        AnsiConsole.MarkupLine($"autopilot  {host.Url} (GET /incidents; POST /alertmanager with Authorization: Bearer $(cat {Markup.Escape(Path.Combine(state, AutopilotHost.WebhookTokenFile))}))");
        AnsiConsole.MarkupLine($"[bold]console[/]    {host.ConsoleUrl} (sign in with the operator token below)");
        if (environment is not null)
            AnsiConsole.MarkupLine($"simulator  {environment.MetricsUrl} (GET /metrics, POST /simulator/workloads/shop/checkout/faults)");
        AnsiConsole.MarkupLine($"kube-api   {settings.KubernetesUrl} · state {Markup.Escape(state)} · Ctrl+C stops");
        if (environment is not null)
            AnsiConsole.MarkupLine($"           kubectl --server {settings.KubernetesUrl} get httproutes -n shop -o yaml");
        var tokenFile = Path.Combine(state, "operator-token");
        await File.WriteAllTextAsync(tokenFile, host.OperatorToken(), ct);
        AnsiConsole.MarkupLine($"operator   approve as yourself with: curl -H \"Authorization: Bearer $(cat {Markup.Escape(tokenFile)})\" -d '{{\"approved\":true}}' " +
                               $"-H 'Content-Type: application/json' {host.Url}guardrail/<ns>/<route>/approvals/<changeId>");
        await WaitForCtrlC(ct);
    }
    return 0;
});

var root = new RootCommand("Autopilot stand-alone: the whole loop in one process against a simulated cluster") { demo, serve };
root.Subcommands.Add(CasesCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
return await root.Parse(args).InvokeAsync();

static async Task WaitForCtrlC(CancellationToken ct)
{
    try
    {
        await Task.Delay(Timeout.Infinite, ct);
    }
    catch (OperationCanceledException)
    {
    }
}
