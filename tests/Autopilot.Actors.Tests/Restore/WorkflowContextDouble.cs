using System.Text.Json;
using Dapr.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Actors.Tests.Restore;

/// <summary>
/// Runs a workflow body the way the engine would on its first pass: each activity by name with its input and
/// output round-tripped through JSON, timers complete at once, the calls recorded in order.
/// </summary>
public sealed class WorkflowContextDouble(IReadOnlyDictionary<string, Func<JsonElement, Task<object?>>> activities) : WorkflowContext
{
    public List<string> Calls { get; } = [];

    public List<TimeSpan> Timers { get; } = [];

    public override string Name => "ProgressiveRestoreWorkflow";

    public override string InstanceId => "test-instance";

    public override DateTime CurrentUtcDateTime => DateTime.UnixEpoch;

    public override bool IsReplaying => false;

    public override async Task<T> CallActivityAsync<T>(string name, object? input = null, WorkflowTaskOptions? options = null)
    {
        Calls.Add(name);
        if (!activities.TryGetValue(name, out var activity)) throw new InvalidOperationException($"No activity registered as '{name}'.");
        var output = await activity(JsonSerializer.SerializeToElement(input));
        return JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(output))!;
    }

    public override Task CallActivityAsync(string name, object? input = null, WorkflowTaskOptions? options = null) =>
        CallActivityAsync<object>(name, input, options);

    public override Task CreateTimer(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        Timers.Add(delay);
        return Task.CompletedTask;
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken) => Task.CompletedTask;

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, TimeSpan timeout) => throw new NotSupportedException();

    public override void SendEvent(string instanceId, string eventName, object payload) => throw new NotSupportedException();

    public override void SetCustomStatus(object? customStatus) { }

    public override Task<TResult> CallChildWorkflowAsync<TResult>(string workflowName, object? input = null, ChildWorkflowTaskOptions? options = null) =>
        throw new NotSupportedException();

    public override Task CallChildWorkflowAsync(string workflowName, object? input = null, ChildWorkflowTaskOptions? options = null) =>
        throw new NotSupportedException();

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw new NotSupportedException();

    public override Guid NewGuid() => Guid.NewGuid();

    public override ILogger CreateReplaySafeLogger(string categoryName) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger(Type type) => NullLogger.Instance;

    public override ILogger<T> CreateReplaySafeLogger<T>() => NullLogger<T>.Instance;

    public override bool IsPatched(string patchName) => true;

    public override PropagatedHistory? GetPropagatedHistory() => null;
}
