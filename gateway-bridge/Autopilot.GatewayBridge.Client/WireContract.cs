using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Client;

/// <summary>Body of <c>POST /changes</c>.</summary>
public sealed record ApplyChangeRequest(RouteChange Change, string? ApprovalToken);

/// <summary>Body of <c>POST /changes/{changeId}/undo</c>; the change id comes from the path.</summary>
public sealed record UndoChangeRequest(string UndoChangeId, string IncidentId, string Reason, RouteRef? Route, string? ApprovalToken);
