// Placeholder until the Autopilot.InferencePool host is written.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.Run();
