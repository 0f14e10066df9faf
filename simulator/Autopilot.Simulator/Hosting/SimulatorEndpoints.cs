using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Metrics;
using Autopilot.Simulator.Scenarios;
using Autopilot.Simulator.Workloads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.Hosting;

/// <summary>
/// The simulator's HTTP face: GET /metrics (Prometheus text format, scraped by a real Prometheus or read by tests),
/// GET /simulator/workloads (state), POST /simulator/workloads/{namespace}/{name}/faults (inject, the knobs) and
/// DELETE .../faults/{id} (clear).
/// </summary>
public static class SimulatorEndpoints
{
    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder endpoints, SimulatedCluster cluster)
    {
        endpoints.MapGet("/metrics", () => Results.Text(PrometheusTextFormat.Render(cluster.Snapshot()), PrometheusTextFormat.ContentType));

        endpoints.MapGet("/simulator/workloads", () => Results.Json(cluster.Workloads.Select(w => new
        {
            workload = w.Spec.Key.ToString(),
            route = cluster.Routes.CurrentWeights(w.Spec.Route),
            requests = w.Totals.Requests,
            errors = w.Totals.Errors,
            faults = w.ActiveFaults.Select(f => new { id = f.Id, kind = f.GetType().Name }),
        })));

        endpoints.MapPost("/simulator/workloads/{ns}/{name}/faults", async (string ns, string name, HttpRequest request) =>
        {
            var key = new WorkloadKey(ns, name);
            if (!cluster.TryGet(key, out _)) return Results.Problem($"No simulated workload {key}.", statusCode: 404);
            string yaml;
            using (var reader = new StreamReader(request.Body)) yaml = await reader.ReadToEndAsync();
            Fault fault;
            try
            {
                fault = ScenarioLoader.ParseFault(yaml, cluster.Get(key).Spec, "request body").Fault;
            }
            catch (ScenarioException ex)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["fault"] = [.. ex.Problems] });
            }
            cluster.Inject(key, fault);
            return Results.Created($"/simulator/workloads/{ns}/{name}/faults/{fault.Id}", new { id = fault.Id });
        });

        endpoints.MapDelete("/simulator/workloads/{ns}/{name}/faults/{id}", (string ns, string name, string id) =>
        {
            var key = new WorkloadKey(ns, name);
            if (!cluster.TryGet(key, out _)) return Results.Problem($"No simulated workload {key}.", statusCode: 404);
            return cluster.Clear(key, id) ? Results.NoContent() : Results.Problem($"No active fault '{id}' on {key}.", statusCode: 404);
        });
        return endpoints;
    }
}
