using Autopilot.Hosting;
using Autopilot.InferencePool;

// The inference pool (Dapr app-id "inference-pool"): one CPU model shared by every agent session.
// Configuration: section "InferencePool" (docs/inference-pool.md), e.g. InferencePool__ModelPath=/models/model.gguf.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(PoolEndpoints.AppId);
builder.AddInferencePoolServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapInferencePool();
await app.RunAsync();

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
