using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Alerting;

namespace Autopilot.Standalone.Hosting;

/// <summary>
/// Real Prometheus and Alertmanager (the Debian packages' binaries) on free loopback ports: Prometheus scrapes the
/// simulator every second and evaluates the shipped fast rules (deploy/prometheus/rules-fast.yaml) every second;
/// Alertmanager groups per workload and alert with 1 s waits and posts to autopilot's POST /alertmanager.
/// </summary>
public sealed class PrometheusStack : IAsyncDisposable
{
    public const string PrometheusBinary = "prometheus";
    public const string AlertmanagerBinary = "prometheus-alertmanager";

    private readonly string _directory;
    private readonly int _alertmanagerPort;
    private readonly List<Process> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Dictionary<string, (AlertTransition Transition, bool Firing)> _alerts = [];
    private Action<AlertTransition>? _onAlert;

    private PrometheusStack(string directory, int prometheusPort, int alertmanagerPort)
    {
        _directory = directory;
        _alertmanagerPort = alertmanagerPort;
        PrometheusUrl = new Uri($"http://127.0.0.1:{prometheusPort}/");
        AlertmanagerUrl = new Uri($"http://127.0.0.1:{alertmanagerPort}/");
    }

    public Uri PrometheusUrl { get; }

    public Uri AlertmanagerUrl { get; }

    /// <summary>Says what is missing and how to install it, or null when both binaries are on PATH.</summary>
    public static string? MissingBinaries()
    {
        var missing = new[] { PrometheusBinary, AlertmanagerBinary }.Where(b => FindOnPath(b) is null).ToList();
        return missing.Count == 0
            ? null
            : $"{string.Join(" and ", missing)} not found on PATH; install the Debian packages: apt-get update && apt-get install -y prometheus prometheus-alertmanager";
    }

    /// <summary>Starts Prometheus scraping <paramref name="simulator"/>/metrics; Alertmanager starts once the webhook is known.</summary>
    public static async Task<PrometheusStack> StartAsync(string stateDirectory, Uri simulator, string rulesFile, CancellationToken ct)
    {
        if (MissingBinaries() is { } problem) throw new InvalidOperationException(problem);
        if (!File.Exists(rulesFile)) throw new FileNotFoundException($"The Prometheus rules file {rulesFile} does not exist.", rulesFile);
        var directory = Path.Combine(Path.GetFullPath(stateDirectory), "prometheus");
        Directory.CreateDirectory(directory);
        var stack = new PrometheusStack(directory, FreePort(), FreePort());
        File.Copy(rulesFile, Path.Combine(directory, "rules.yaml"), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [rules.yaml]
            alerting:
              alertmanagers:
                - static_configs:
                    - targets: ["127.0.0.1:{stack._alertmanagerPort}"]
            scrape_configs:
              - job_name: simulator
                static_configs:
                  - targets: ["{simulator.Authority}"]
            """, ct);
        stack.Start(PrometheusBinary,
            "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{stack.PrometheusUrl.Port}", "--storage.tsdb.retention.time=1h");
        await stack.WaitReadyAsync(stack.PrometheusUrl, ct);
        return stack;
    }

    /// <summary>Starts Alertmanager posting to <paramref name="webhook"/> with the bearer token it requires, read from a
    /// credentials file as production's Alertmanager reads the mounted Secret.</summary>
    public async Task StartAlertmanagerAsync(Uri webhook, string bearerToken, CancellationToken ct)
    {
        var credentials = Path.Combine(_directory, "webhook-token");
        await File.WriteAllTextAsync(credentials, bearerToken, ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllTextAsync(Path.Combine(_directory, "alertmanager.yml"), $"""
            route:
              receiver: autopilot
              group_by: [namespace, workload, alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 30s
            receivers:
              - name: autopilot
                webhook_configs:
                  - url: {webhook}
                    send_resolved: true
                    max_alerts: 0
                    http_config:
                      authorization:
                        type: Bearer
                        credentials_file: {credentials}
            """, ct);
        Start(AlertmanagerBinary,
            "--config.file=alertmanager.yml", $"--storage.path={Path.Combine(_directory, "am-data")}",
            $"--web.listen-address=127.0.0.1:{_alertmanagerPort}", "--cluster.listen-address=");
        await WaitReadyAsync(AlertmanagerUrl, ct);
    }

    public void OnAlert(Action<AlertTransition> handler) => _onAlert += handler;

    /// <summary>Reads Prometheus's active alerts and reports each that started or stopped firing since the last call.</summary>
    public async Task PollAlertsAsync(CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            await using var stream = await _http.GetStreamAsync(new Uri(PrometheusUrl, "/api/v1/alerts"), ct);
            document = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        }
        catch (HttpRequestException)
        {
            return;
        }
        using (document)
        {
            var now = DateTimeOffset.UtcNow;
            var firing = new HashSet<string>(StringComparer.Ordinal);
            foreach (var alert in document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray())
            {
                if (alert.GetProperty("state").GetString() != "firing") continue;
                var labels = alert.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);
                var identity = string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
                firing.Add(identity);
                if (_alerts.ContainsKey(identity)) continue;
                var workload = new WorkloadKey(labels.GetValueOrDefault("namespace", ""), labels.GetValueOrDefault("workload", ""));
                var transition = new AlertTransition(labels.GetValueOrDefault("alertname", ""), workload, labels, true, now);
                _alerts[identity] = (transition, true);
                _onAlert?.Invoke(transition);
            }
            foreach (var identity in _alerts.Keys.Where(k => !firing.Contains(k)).ToList())
            {
                var resolved = _alerts[identity].Transition with { Firing = false, At = now };
                _alerts.Remove(identity);
                _onAlert?.Invoke(resolved);
            }
        }
    }

    private void Start(string binary, params string[] arguments)
    {
        var info = new ProcessStartInfo(FindOnPath(binary)!)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var log = new StreamWriter(Path.Combine(_directory, binary + ".log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private async Task WaitReadyAsync(Uri baseUrl, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_processes[^1].HasExited)
                throw new InvalidOperationException($"{_processes[^1].StartInfo.FileName} exited with {_processes[^1].ExitCode}; see {_directory}/*.log");
            try
            {
                using var response = await _http.GetAsync(new Uri(baseUrl, "/-/ready"), ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"{baseUrl} did not become ready within 30 s; see {_directory}/*.log");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string binary) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, binary))
            .FirstOrDefault(File.Exists);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
            }
            process.Dispose();
        }
        _http.Dispose();
    }
}
