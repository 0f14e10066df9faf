using Autopilot.Actors;
using Autopilot.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddAutopilotHosting("autopilot-actors");
builder.Services.AddAutopilotActors(builder.Configuration);

var app = builder.Build();
app.MapAutopilotActors();
app.MapAutopilotHosting();
app.Run();

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
