using Autopilot.Actors;
using Autopilot.Hosting;

// The Dapr host of the incident loop (app-id "autopilot-actors"): IncidentActor, GuardrailActor, the alerts
// subscription, the restore workflow and the shared HTTP surface (docs/actors.md).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ActorsHost.AppId);
await builder.AddAutopilotActorsAsync();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAutopilotActors();
await app.RunAsync();

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
