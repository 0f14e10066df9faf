using Autopilot.Actors;
using Autopilot.Actors.Guardrail;
using Autopilot.Hosting;

var builder = WebApplication.CreateBuilder(args);
using (var loggers = LoggerFactory.Create(logging => logging.AddConsole()))
    await SigningKeySecret.LoadAsync(builder.Configuration, loggers.CreateLogger("Autopilot.Actors"));
builder.AddServiceDefaults("autopilot-actors");
builder.Services.AddAutopilotActors(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAutopilotActors();
await app.RunAsync();

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
