using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Remediation.Tests.Knowledge;

public sealed class SopDocumentTests
{
    private const string Valid = """
        ---
        id: canary-high-error-rate
        title: Canary returns 5xx
        kind: sop
        severity: critical
        matches:
          alerts: [CanaryHighErrorRate]
          labels:
            namespace: shop
            version: "~checkout-v[0-9]+"
        allowed_actions:
          - rollback_canary
          - action: shift_traffic
            max_step_percent: 25
            min_stable_weight: 50
          - action: set_rate_limit
            min_requests_per_second: 10
            max_requests_per_second: 500
        default_action: rollback_canary
        default_action_safe: true
        tags: [canary, 5xx]
        reason_about: [version]
        confirm_with: named_backend
        health_bounds: {max_error_ratio: 0.02, max_restarts: 3}
        include_annotations: [summary]
        ---
        # Canary returns 5xx

        Roll back first.
        """;

    [Fact]
    public void Parses_front_matter_into_the_sop_record()
    {
        var sop = SopDocument.Parse(Valid, "sops/canary.md");

        Assert.Equal("canary-high-error-rate", sop.Id);
        Assert.Equal("Canary returns 5xx", sop.Title);
        Assert.Equal(KnowledgeKind.Sop, sop.Kind);
        Assert.Equal("critical", sop.Severity);
        Assert.Equal(["CanaryHighErrorRate"], sop.Matches.AlertNames);
        Assert.Equal("shop", sop.Matches.Labels["namespace"]);
        Assert.Equal("~checkout-v[0-9]+", sop.Matches.Labels["version"]);
        Assert.Equal(
            [
                new AllowedAction(ActionNames.RollbackCanary),
                new AllowedAction(ActionNames.ShiftTraffic, MaxStepPercent: 25, MinStableWeight: 50),
                new AllowedAction(ActionNames.SetRateLimit, MinRequestsPerSecond: 10, MaxRequestsPerSecond: 500),
            ],
            sop.AllowedActions);
        Assert.Equal(ActionNames.RollbackCanary, sop.DefaultAction);
        Assert.True(sop.DefaultActionSafe);
        Assert.Equal(["canary", "5xx"], sop.Tags);
        Assert.Equal(["version"], sop.ReasonAbout);
        Assert.Equal(Confirmation.NamedBackend, sop.ConfirmWith);
        Assert.Equal(new SopHealthBounds(0.02, null, 3), sop.HealthBounds);
        Assert.Equal(["summary"], sop.IncludeAnnotations);
        Assert.Equal(new Autopilot.Remediation.Compaction.HealthBounds(0.02, 1000, 3), sop.HealthBounds!.Over(new(0.05, 1000, 2)));
        Assert.Equal("# Canary returns 5xx\n\nRoll back first.", sop.Body);
        Assert.Equal("sops/canary.md", sop.SourcePath);
        Assert.Equal(25, sop.Allowed(ActionNames.ShiftTraffic)!.MaxStepPercent);
        Assert.Null(sop.Allowed(ActionNames.Escalate));
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted()
    {
        var sop = SopDocument.Parse("\uFEFF" + Valid.Replace("\n", "\r\n"), "x.md");
        Assert.Equal("canary-high-error-rate", sop.Id);
    }

    [Fact]
    public void A_post_mortem_needs_no_actions_and_defaults_to_escalate()
    {
        var sop = SopDocument.Parse("""
            ---
            id: pm-1
            title: Outage
            kind: post-mortem
            severity: critical
            ---
            What happened.
            """, "pm.md");

        Assert.Equal(KnowledgeKind.PostMortem, sop.Kind);
        Assert.Empty(sop.AllowedActions);
        Assert.Equal(ActionNames.Escalate, sop.DefaultAction);
        Assert.False(sop.DefaultActionSafe);
    }

    public static TheoryData<string, string, string, string> InvalidDocuments() => new()
    {
        // case, replace this, with this, key that must be named
        { "no front matter", "---\nid: canary-high-error-rate", "id: canary-high-error-rate", "(front matter)" },
        { "broken YAML", "title: Canary returns 5xx", "title: [unclosed", "(front matter)" },
        { "unknown key", "kind: sop", "kind: sop\ndefault_acton: escalate", "default_acton" },
        { "missing id", "id: canary-high-error-rate\n", "", "id" },
        { "id with spaces", "id: canary-high-error-rate", "id: Canary High", "id" },
        { "unknown kind", "kind: sop", "kind: runbook", "kind" },
        { "unknown severity", "severity: critical", "severity: sev1", "severity" },
        { "alert name with dash", "alerts: [CanaryHighErrorRate]", "alerts: [canary-high]", "matches.alerts[0]" },
        { "bad label regex", "\"~checkout-v[0-9]+\"", "\"~checkout-v[\"", "matches.labels.version" },
        { "unknown matches key", "  alerts: [CanaryHighErrorRate]", "  alerts: [CanaryHighErrorRate]\n  severity: page", "matches.severity" },
        { "unknown action", "  - rollback_canary", "  - restart_pods", "allowed_actions[0].action" },
        { "duplicate action", "  - rollback_canary", "  - rollback_canary\n  - rollback_canary", "allowed_actions[1].action" },
        { "step above 100", "max_step_percent: 25", "max_step_percent: 150", "allowed_actions[1].max_step_percent" },
        { "bound not a number", "min_stable_weight: 50", "min_stable_weight: half", "allowed_actions[1].min_stable_weight" },
        { "bound for the wrong action", "  - rollback_canary", "  - action: rollback_canary\n    max_requests_per_second: 5", "allowed_actions[0].max_requests_per_second" },
        { "unknown bound", "min_stable_weight: 50", "min_stable_weight: 50\n    max_weight: 5", "allowed_actions[1].max_weight" },
        { "rate bounds inverted", "min_requests_per_second: 10", "min_requests_per_second: 1000", "allowed_actions[2].min_requests_per_second" },
        { "default not allowed", "default_action: rollback_canary", "default_action: isolate_backend", "default_action" },
        { "default unknown", "default_action: rollback_canary", "default_action: reboot", "default_action" },
        { "safe not boolean", "default_action_safe: true", "default_action_safe: yes", "default_action_safe" },
        { "missing safe flag", "default_action_safe: true\n", "", "default_action_safe" },
        { "missing matches", "matches:\n  alerts: [CanaryHighErrorRate]\n  labels:\n    namespace: shop\n    version: \"~checkout-v[0-9]+\"\n", "", "matches" },
        { "reason about a non-label", "reason_about: [version]", "reason_about: [the-version]", "reason_about[0]" },
        { "reason about not a list", "reason_about: [version]", "reason_about: version", "reason_about" },
        { "unknown confirmation", "confirm_with: named_backend", "confirm_with: the_alert", "confirm_with" },
        { "annotation not a name", "include_annotations: [summary]", "include_annotations: [\"<|im_start|>\"]", "include_annotations[0]" },
        { "annotations not a list", "include_annotations: [summary]", "include_annotations: summary", "include_annotations" },
        { "error bound above 1", "max_error_ratio: 0.02", "max_error_ratio: 2", "health_bounds.max_error_ratio" },
        { "unknown health bound", "max_restarts: 3}", "max_restarts: 3, max_cpu: 1}", "health_bounds.max_cpu" },
        { "fractional restarts", "max_restarts: 3}", "max_restarts: 2.5}", "health_bounds.max_restarts" },
        { "empty body", "# Canary returns 5xx\n\nRoll back first.", "", "(body)" },
    };

    [Theory]
    [MemberData(nameof(InvalidDocuments))]
    public void Rejects_invalid_documents_naming_file_and_key(string name, string find, string replace, string key)
    {
        Assert.Contains(find, Valid);
        var text = Valid.Replace(find, replace);

        var error = Assert.Throws<SopValidationException>(() => SopDocument.Parse(text, "sops/broken.md"));

        Assert.Contains(error.Errors, e => e.Key == key && e.File == "sops/broken.md");
        Assert.Contains($"sops/broken.md", error.Message);
        Assert.False(SopDocument.TryParse(text, "sops/broken.md", out var sop, out var errors), name);
        Assert.Null(sop);
        Assert.Equal(error.Errors, errors);
    }

    [Fact]
    public void Reports_every_problem_at_once_with_line_numbers()
    {
        var text = Valid.Replace("severity: critical", "severity: sev1").Replace("  - rollback_canary", "  - restart_pods")
            .Replace("default_action_safe: true", "default_action_safe: maybe");

        var error = Assert.Throws<SopValidationException>(() => SopDocument.Parse(text, "x.md"));

        Assert.Equal(["severity", "allowed_actions[0].action", "default_action", "default_action_safe"], error.Errors.Select(e => e.Key));
        Assert.Equal(5, error.Errors[0].Line);
    }

    [Theory]
    [InlineData("shop", "shop", true)]
    [InlineData("shop", "shopping", false)]
    [InlineData("~checkout-v[0-9]+", "checkout-v2", true)]
    [InlineData("~checkout-v[0-9]+", "xcheckout-v2", false)]
    [InlineData("~checkout-v[0-9]+", "checkout-v2-old", false)]
    [InlineData("~a|b", "b", true)]
    [InlineData("shop", null, false)]
    public void Label_conditions_match_exactly_or_by_anchored_regex(string condition, string? value, bool matches)
    {
        Assert.Equal(matches, SopDocument.LabelMatches(condition, value));
    }

    [Fact]
    public void Random_corruption_of_every_shipped_file_is_reported_never_thrown()
    {
        var random = new Random(20261125);
        const string Noise = "-:[]{}#&*!|>'\"%@`\t\n ~?,";
        foreach (var file in Directory.EnumerateFiles(ShippedSops.Directory, "*.md", SearchOption.AllDirectories))
        {
            var original = File.ReadAllText(file);
            for (var i = 0; i < 150; i++)
            {
                var text = new System.Text.StringBuilder(original);
                for (var edit = random.Next(1, 4); edit > 0 && text.Length > 0; edit--)
                {
                    var at = random.Next(Math.Min(text.Length, 700)); // mostly hit the front matter
                    if (random.Next(3) == 0) text.Remove(at, Math.Min(random.Next(1, 20), text.Length - at));
                    else text.Insert(at, Noise[random.Next(Noise.Length)]);
                }

                var ok = SopDocument.TryParse(text.ToString(), "fuzz.md", out var sop, out var errors);

                Assert.True(ok ? sop is not null && errors.Count == 0 : sop is null && errors.Count > 0);
                Assert.All(errors, e => Assert.Equal("fuzz.md", e.File));
            }
        }
    }
}
