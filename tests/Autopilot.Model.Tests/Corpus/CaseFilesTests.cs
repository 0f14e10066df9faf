using Autopilot.Decisions.Cases;

namespace Autopilot.Model.Tests.Corpus;

public sealed class CaseFilesTests
{
    private const string Valid =
        """{"id":"c1","now":"2026-11-20T10:00:00Z","workload":"shop/checkout","alerts":[{"name":"CanaryHighErrorRate","labels":{"version":"checkout-v2"},"startsAt":"2026-11-20T09:58:00Z"}],"expect":{"actions":["rollback_canary"]}}""";

    [Fact]
    public void A_minimal_operator_case_reads_with_defaults()
    {
        var c = Assert.Single(CaseFiles.Read(Write(Valid)));
        Assert.Equal("c1", c.Id);
        Assert.Equal(CaseKinds.Generated, c.Kind);
        Assert.Equal("firing", c.Alerts[0].Status);
        Assert.Equal("rollback_canary", c.Expect.Prescribed);
    }

    [Theory]
    [InlineData("\"actions\":[\"rollback_canary\"]", "\"actions\":[\"reboot\"]", "expect.actions")]
    [InlineData("\"workload\":\"shop/checkout\"", "\"workload\":\"checkout\"", "workload")]
    [InlineData("\"startsAt\"", "\"status\":\"pending\",\"startsAt\"", "alerts[0].status")]
    public void A_bad_case_names_its_file_line_and_field(string from, string to, string field)
    {
        var path = Write(Valid + "\n" + Valid.Replace("\"c1\"", "\"c2\"").Replace(from, to));
        var error = Assert.Throws<CaseFormatException>(() => CaseFiles.Read(path));
        Assert.Equal(2, error.Line);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(path + ":2: " + field, error.Message);
    }

    [Fact]
    public void A_duplicate_id_is_an_error()
    {
        var error = Assert.Throws<CaseFormatException>(() => CaseFiles.Read(Write(Valid + "\n" + Valid)));
        Assert.Equal("id", error.Field);
    }

    [Fact]
    public void Written_cases_read_back_unchanged()
    {
        var cases = Autopilot.Decisions.Generation.CorpusGenerator.HeldOut(20);
        var path = Path.Combine(Path.GetTempPath(), $"cases-{Guid.NewGuid():N}.jsonl");
        CaseFiles.Write(path, cases);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(cases, CaseFiles.Json),
            System.Text.Json.JsonSerializer.Serialize(CaseFiles.Read(path), CaseFiles.Json));
    }

    private static string Write(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cases-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, text);
        return path;
    }
}
