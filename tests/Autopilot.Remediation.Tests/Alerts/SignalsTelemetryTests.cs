using System.Diagnostics.Metrics;
using System.Text;
using Autopilot.Remediation.Alerts;

namespace Autopilot.Remediation.Tests.Alerts;

public sealed class SignalsTelemetryTests
{
    [Theory]
    [InlineData("$", "$")]
    [InlineData("alerts[17].startsAt", "alerts[].startsAt")]
    [InlineData("alerts[3].labels.any_label_name", "alerts[].labels")]
    [InlineData("data.alerts[0].annotations.summary", "data.alerts[].annotations")]
    [InlineData("commonLabels.x", "commonLabels")]
    public void Rejection_tags_keep_the_field_family_only(string field, string family)
    {
        Assert.Equal(family, SignalsTelemetry.FieldFamily(field));
    }

    [Fact]
    public void Rejected_payloads_are_counted_by_field_family()
    {
        var seen = new List<(long Value, string? Field)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SignalsTelemetry.MeterName && instrument.Name == "autopilot.alerts.rejected") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "field" && tag.Value is "alerts[].startsAt") lock (seen) seen.Add((value, (string?)tag.Value));
        });
        listener.Start();

        AlertPayloadParser.ParseWebhook(Encoding.UTF8.GetBytes("""{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"never"}]}"""));

        Assert.Contains((1L, "alerts[].startsAt"), seen);
    }
}
