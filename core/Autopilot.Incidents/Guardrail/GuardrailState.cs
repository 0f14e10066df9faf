using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Policies;

namespace Autopilot.Incidents.Guardrail;

/// <summary>
/// A route's guardrail state: the ledger of changes (sliding windows of the policy) and every decision by change
/// id (so a resubmitted change gets the same answer and is never applied twice), plus the proposals waiting for
/// a human.
/// </summary>
public sealed record GuardrailState(
    int SchemaVersion,
    IReadOnlyList<LedgerEntry> Ledger,
    IReadOnlyDictionary<string, GuardrailDecision> Decisions,
    IReadOnlyDictionary<string, ProposalSubmission> AwaitingApproval)
{
    public const int CurrentSchemaVersion = 1;

    public static GuardrailState Empty { get; } = new(CurrentSchemaVersion, [], new Dictionary<string, GuardrailDecision>(), new Dictionary<string, ProposalSubmission>());
}
