// The inference pool (Dapr app-id "inference-pool"): one CPU model shared by every agent session.
// Configuration: section "InferencePool" (docs/inference-pool.md), e.g. InferencePool__ModelPath=/models/model.gguf.
Autopilot.InferencePool.PoolHost.Build(args).Run();
