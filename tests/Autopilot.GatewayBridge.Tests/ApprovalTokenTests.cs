using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Tests;

public sealed class ApprovalTokenTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-25T01:00:00Z");
    private static readonly byte[] Key = TestCluster.Key;
    private static readonly RouteChange Change = TestCluster.Shift("chg-1", 90, 100);

    [Fact]
    public void Accepts_a_token_signed_for_the_exact_change_before_it_expires() =>
        Assert.Equal(ApprovalCheck.Valid, ApprovalToken.Verify(ApprovalToken.Sign(Change, Now.AddMinutes(5), Key), Change, Now, Key));

    [Fact]
    public void Rejects_a_token_signed_with_another_key_as_bad_signature()
    {
        var forged = ApprovalToken.Sign(Change, Now.AddMinutes(5), "another-key-that-is-long-enough-to-sign-with"u8.ToArray());
        Assert.Equal(ApprovalCheck.BadSignature, ApprovalToken.Verify(forged, Change, Now, Key));
    }

    [Fact]
    public void Rejects_a_token_whose_expiry_was_pushed_out_as_bad_signature()
    {
        var parts = ApprovalToken.Sign(Change, Now.AddMinutes(5), Key).Split('.');
        parts[1] = Now.AddDays(30).ToUnixTimeSeconds().ToString();
        Assert.Equal(ApprovalCheck.BadSignature, ApprovalToken.Verify(string.Join('.', parts), Change, Now, Key));
    }

    [Fact]
    public void Rejects_an_expired_token() =>
        Assert.Equal(ApprovalCheck.Expired, ApprovalToken.Verify(ApprovalToken.Sign(Change, Now.AddSeconds(-1), Key), Change, Now, Key));

    [Fact]
    public void Rejects_a_genuine_token_presented_with_a_different_change_as_mismatch()
    {
        var token = ApprovalToken.Sign(Change, Now.AddMinutes(5), Key);
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.Verify(token, Change with { NewWeights = TestCluster.W(0) }, Now, Key));
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.Verify(token, Change with { DryRun = true }, Now, Key));
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.Verify(token, Change with { Route = new RouteRef("shop", "cart") }, Now, Key));
    }

    [Fact]
    public void An_undo_approval_is_not_a_change_approval()
    {
        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "recovered", TestCluster.Checkout);
        var token = ApprovalToken.SignUndo(undo, Now.AddMinutes(5), Key);
        Assert.Equal(ApprovalCheck.Valid, ApprovalToken.VerifyUndo(token, undo, Now, Key));
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.Verify(token, Change, Now, Key));
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.VerifyUndo(token, undo with { ChangeId = "chg-2" }, Now, Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("v2.1.AAAA.AAAA")]
    [InlineData("v1.soon.AAAA.AAAA")]
    [InlineData("v1.1890000000.!!!.AAAA")]
    public void Rejects_garbage_as_malformed(string token) =>
        Assert.Equal(ApprovalCheck.Malformed, ApprovalToken.Verify(token, Change, Now, Key));

    [Fact]
    public void Refuses_keys_shorter_than_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => ApprovalToken.Sign(Change, Now, new byte[31]));
        var e = Assert.Throws<ArgumentException>(() => ApprovalToken.KeyFromSecret("short"));
        Assert.Contains("32", e.Message);
    }

    [Fact]
    public void Reads_base64_secrets_as_bytes_and_other_secrets_as_utf8()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(bytes, ApprovalToken.KeyFromSecret("base64:" + Convert.ToBase64String(bytes)));
        Assert.Equal(40, ApprovalToken.KeyFromSecret(new string('k', 40)).Length);
        Assert.Throws<ArgumentException>(() => ApprovalToken.KeyFromSecret("base64:not base64!"));
    }
}
