// Placeholder until the Autopilot.Actors host is written.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.Run();
