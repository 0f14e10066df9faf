namespace Autopilot.Decisions.Generation;

/// <summary>
/// Service, namespace and version names for generated cases. The train split draws from made-up names built from
/// syllables, so a model cannot memorise them and must learn to copy names from the facts; the held-out split draws
/// from a separate pool of ordinary service names that never occur in training, which is what a grounded-reason
/// figure "including backend names never seen in training" measures.
/// </summary>
public sealed class CaseNames
{
    private static readonly string[] Syllables =
    [
        "ka", "lo", "mi", "ra", "tu", "ve", "zo", "bri", "dan", "fel", "gor", "hal", "jin", "kor", "lem", "mor", "nix", "pel",
        "quo", "ros", "sal", "tor", "ul", "vin", "wex", "yar", "zen", "ax", "el", "om", "ib", "un", "sy", "tri", "po", "ce",
    ];

    private static readonly string[] HeldOutServices =
    [
        "wallet", "fraud", "ledger", "invoice", "refunds", "tax", "loyalty", "coupon", "wishlist", "recommend", "geo",
        "mailer", "sms", "push", "avatar", "upload", "thumbnail", "export", "report", "audit", "billing", "quota",
        "session", "login", "signup", "consent", "feedback", "rating", "basket", "stock", "warehouse", "courier",
        "tracking", "returns", "pricing", "promo", "gift", "subscription", "metering", "webhook",
    ];

    private static readonly string[] TrainNamespaces = ["shop", "web", "core", "api", "edge", "apps", "retail", "backend"];
    private static readonly string[] HeldOutNamespaces = ["payments", "commerce", "platform", "prod", "checkout-team", "ops"];

    private readonly Random _random;
    private readonly bool _heldOut;

    public CaseNames(Random random, bool heldOut)
    {
        _random = random;
        _heldOut = heldOut;
    }

    public string Namespace() => Pick(_heldOut ? HeldOutNamespaces : TrainNamespaces);

    public string Service()
    {
        if (_heldOut) return Pick(HeldOutServices);
        if (_random.Next(3) == 0)
        {
            // Plain random letters: names the vocabulary has no piece for, copied character by character.
            var length = _random.Next(5, 10);
            return new string([.. Enumerable.Range(0, length).Select(_ => (char)('a' + _random.Next(26)))]);
        }
        var count = _random.Next(2, 4);
        return string.Concat(Enumerable.Range(0, count).Select(_ => Pick(Syllables)));
    }

    /// <summary>Distinct version names of one service: stable first, then canaries, in one of several naming styles.</summary>
    public IReadOnlyList<string> Versions(string service, int count)
    {
        var style = _random.Next(5);
        var first = _random.Next(1, 9);
        var build = _random.Next(0x1000, 0xFFFF);
        string Name(int i) => style switch
        {
            0 => $"{service}-v{first + i}",
            1 => i == 0 ? $"{service}-stable" : count == 2 ? $"{service}-canary" : $"{service}-canary{i}",
            2 => $"{service}-{(new[] { "blue", "green", "red", "gold" })[i]}",
            3 => $"{service}-{(build + 17 * i):x4}",
            _ => $"{service}-v{first}-{(i == 0 ? "0" : (i + _random.Next(1, 5)).ToString(System.Globalization.CultureInfo.InvariantCulture))}",
        };
        return [.. Enumerable.Range(0, count).Select(Name).Distinct()];
    }

    /// <summary>A downstream dependency's name.</summary>
    public string Dependency() =>
        _heldOut ? Pick(["stripe-api", "orders-pg", "kafka-main", "redis-sessions", "ldap", "s3-gateway"])
            : $"{Pick(Syllables)}{Pick(Syllables)}-{Pick(["db", "cache", "mq", "api", "pg", "redis"])}";

    public string Host(string service) =>
        $"{service}.{Pick(_heldOut ? ["example.org", "corp.internal", "acme.io"] : ["example.com", "shop.test", "svc.local"])}";

    public string Pick(string[] items) => items[_random.Next(items.Length)];
}
