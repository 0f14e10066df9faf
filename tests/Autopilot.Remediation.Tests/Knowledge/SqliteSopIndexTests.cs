using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Remediation.Tests.Knowledge;

public sealed class SqliteSopIndexTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sop-index-tests-").FullName;
    private readonly string _sops;
    private readonly string _indexPath;

    public SqliteSopIndexTests()
    {
        _sops = Directory.CreateDirectory(Path.Combine(_root, "sops")).FullName;
        _indexPath = Path.Combine(_root, "index", "sops.db");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Doc(string id, string alert, string body, string kind = "sop", string labels = "") => $"""
        ---
        id: {id}
        title: {id} runbook
        kind: {kind}
        severity: warning
        matches:
          alerts: [{alert}]{labels}
        allowed_actions: [escalate]
        default_action: escalate
        default_action_safe: true
        ---
        {body}
        """;

    private void Write(string file, string text) => File.WriteAllText(Path.Combine(_sops, file), text);

    private static SopQuery Query(string alert, string facts = "", string? version = null) =>
        new([AlertFactory.Firing(alert, version: version)], facts);

    [Fact]
    public void Persists_the_index_and_reuses_it_when_files_are_unchanged()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space on the volume."));
        using (var first = SqliteSopIndex.Open(_sops, _indexPath))
        {
            Assert.Equal(1, first.RebuildCount);
            Assert.True(File.Exists(_indexPath));
        }

        using var second = SqliteSopIndex.Open(_sops, _indexPath);

        Assert.Equal(0, second.RebuildCount);
        Assert.Equal("disk-full", second.Retrieve(Query("DiskFull"))[0].Sop.Id);
    }

    [Fact]
    public void Rebuilds_a_stale_index_on_open()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space on the volume."));
        string oldHash;
        using (var first = SqliteSopIndex.Open(_sops, _indexPath)) oldHash = first.ContentHash;
        Write("a.md", Doc("disk-full", "DiskFull", "Free space on the volume. Rotate the journald logs."));

        using var second = SqliteSopIndex.Open(_sops, _indexPath);

        Assert.Equal(1, second.RebuildCount);
        Assert.NotEqual(oldHash, second.ContentHash);
        var hit = second.Retrieve(new SopQuery([], "journald logs rotate"));
        Assert.Equal("disk-full", Assert.Single(hit).Sop.Id);
    }

    [Fact]
    public void Reindexes_when_a_file_changes_while_open()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space on the volume."));
        using var index = SqliteSopIndex.Open(_sops, _indexPath);
        Assert.Empty(index.Retrieve(Query("InodesExhausted")));

        Write("a.md", Doc("disk-full", "InodesExhausted", "Delete small temporary files."));
        Write("b.md", Doc("memory-pressure", "MemoryPressure", "Look at the heap."));

        // The watcher fires asynchronously; wait (bounded) for the change to land.
        IReadOnlyList<SopMatch> hits = [];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            hits = index.Retrieve(Query("InodesExhausted"));
            if (hits.Count > 0 && index.Documents.Count == 2) break;
            Thread.Sleep(100);
        }
        Assert.Equal("disk-full", Assert.Single(hits).Sop.Id);
        Assert.Equal(["disk-full", "memory-pressure"], index.Documents.Select(d => d.Id));
        Assert.True(index.RebuildCount >= 2);
    }

    [Fact]
    public void Refresh_picks_up_deleted_files()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space."));
        Write("b.md", Doc("memory-pressure", "MemoryPressure", "Heap."));
        using var index = SqliteSopIndex.Open(_sops, _indexPath);

        File.Delete(Path.Combine(_sops, "b.md"));
        index.Refresh();

        Assert.Equal(["disk-full"], index.Documents.Select(d => d.Id));
        Assert.Empty(index.Retrieve(Query("MemoryPressure")));
    }

    [Fact]
    public void Invalid_and_duplicate_files_are_skipped_and_reported()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space."));
        Write("b.md", Doc("disk-full", "DiskFull", "Same id again."));
        Write("c.md", "no front matter at all");
        Write("README.md", "# About this folder (not an SOP)");

        using var index = SqliteSopIndex.Open(_sops, _indexPath);

        Assert.Equal(["disk-full"], index.Documents.Select(d => d.Id));
        Assert.Equal(2, index.Problems.Count);
        Assert.Contains(index.Problems, p => p.File == "b.md" && p.Key == "id" && p.Message.Contains("a.md"));
        Assert.Contains(index.Problems, p => p.File == "c.md" && p.Key == "(front matter)");
    }

    [Fact]
    public void A_corrupt_index_file_is_replaced()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space."));
        Directory.CreateDirectory(Path.GetDirectoryName(_indexPath)!);
        File.WriteAllText(_indexPath, "this is not a SQLite database, it is a text file that got in the way");

        using var index = SqliteSopIndex.Open(_sops, _indexPath);

        Assert.Equal("disk-full", index.Retrieve(Query("DiskFull"))[0].Sop.Id);
    }

    [Fact]
    public void A_missing_directory_is_a_clear_error()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => SqliteSopIndex.Open(Path.Combine(_root, "nope"), _indexPath));
        Assert.Contains("nope", error.Message);
    }

    [Fact]
    public void Structured_match_outranks_a_text_only_match()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space."));
        Write("b.md", Doc("storage-essay", "SomethingElse", "disk full disk full volume disk full space disk full"));
        // BM25's IDF needs a corpus where most documents lack the terms, as the real sops/ folder is.
        foreach (var filler in new[] { "cpu-throttling", "dns-failures", "queue-backlog", "memory-pressure" })
            Write(filler + ".md", Doc(filler, "Filler" + filler.Length, $"Unrelated runbook about {filler.Replace('-', ' ')}."));

        using var index = SqliteSopIndex.Open(_sops, _indexPath);
        var hits = index.Retrieve(Query("DiskFull", "disk full volume space"));

        Assert.Equal(["disk-full", "storage-essay"], hits.Select(h => h.Sop.Id));
        Assert.True(hits[0].Score >= 100);
        Assert.InRange(hits[1].Score, 0.001, 10);
        Assert.Contains(hits[1].Reasons, r => r.StartsWith("text: bm25", StringComparison.Ordinal) && r.Contains("disk"));
    }

    [Fact]
    public void Label_conditions_narrow_a_structured_match()
    {
        Write("a.md", Doc("canary-only", "HighErrors", "For canaries.", labels: "\n  labels:\n    version: \"~.*-v2\""));
        Write("b.md", Doc("any-version", "HighErrors", "For any version."));

        using var index = SqliteSopIndex.Open(_sops, _indexPath);
        var canary = index.Retrieve(Query("HighErrors", version: "checkout-v2"));
        var stable = index.Retrieve(Query("HighErrors", version: "checkout-v1"));

        Assert.Equal("canary-only", canary[0].Sop.Id);
        Assert.Contains("label version=checkout-v2 matches '~.*-v2'", canary[0].Reasons);
        Assert.Equal("any-version", stable[0].Sop.Id);
        Assert.DoesNotContain(stable.Skip(1), h => h.Score >= 100); // canary-only may follow on text, never by rule
    }

    [Fact]
    public void Resolved_alerts_do_not_pick_the_sop_while_something_fires()
    {
        Write("a.md", Doc("disk-full", "DiskFull", "Free space."));
        Write("b.md", Doc("memory-pressure", "MemoryPressure", "Heap."));
        using var index = SqliteSopIndex.Open(_sops, _indexPath);

        var hits = index.Retrieve(new SopQuery(
            [AlertFactory.Firing("DiskFull", status: AlertStatus.Resolved), AlertFactory.Firing("MemoryPressure")], ""), top: 5);

        Assert.Equal(["memory-pressure"], hits.Select(h => h.Sop.Id));
    }

    [Fact]
    public void Finds_post_mortems_from_the_fact_text()
    {
        using var index = SqliteSopIndex.Open(ShippedSops.Directory, _indexPath);

        var hits = index.Retrieve(Query("DependencyOutage", "dependency payments down; all versions 5xx; retry storm exhausted connection pool"), top: 3);

        Assert.Equal("dependency-outage", hits[0].Sop.Id);
        Assert.Contains(hits, h => h.Sop.Id == "pm-2026-06-payments-dependency" && h.Sop.Kind == KnowledgeKind.PostMortem);
        Assert.Equal("dependency-outage", SopMatch.Authoritative(hits)!.Sop.Id);
    }

    [Fact]
    public void Text_alone_finds_the_relevant_sop_when_no_rule_matches()
    {
        using var index = SqliteSopIndex.Open(ShippedSops.Directory, _indexPath);

        var hits = index.Retrieve(Query("SslHandshakeErrors", "x509 certificate expires in 2 days; tls renewal failed at cert-manager"));

        Assert.Equal("certificate-expiring-soon", hits[0].Sop.Id);
        Assert.True(hits[0].Score < 10);
        Assert.All(hits, h => Assert.False(h.MatchedByRule));
        Assert.Null(SopMatch.Authoritative(hits)); // context for the model, not permission to act
    }

    [Fact]
    public void Reads_a_kubernetes_configmap_volume_once_and_follows_its_atomic_updates()
    {
        // The kubelet's atomic writer: files live in a timestamped directory, "..data" links to it and each
        // visible name links through "..data"; an update writes a new directory and renames "..data_tmp" over "..data".
        void Generation(string name, string alert)
        {
            var dir = Directory.CreateDirectory(Path.Combine(_sops, name)).FullName;
            File.WriteAllText(Path.Combine(dir, "disk.md"), Doc("disk-full", alert, "Free space."));
            File.CreateSymbolicLink(Path.Combine(_sops, "..data_tmp"), name);
            // rename(2) over an existing link, as the kubelet does; .NET's File.Move refuses links to directories.
            using var mv = System.Diagnostics.Process.Start("mv", ["-T", "-f", Path.Combine(_sops, "..data_tmp"), Path.Combine(_sops, "..data")]);
            mv.WaitForExit();
            Assert.Equal(0, mv.ExitCode);
        }
        Generation("..2026_11_25_01_00_00.1", "DiskFull");
        File.CreateSymbolicLink(Path.Combine(_sops, "disk.md"), Path.Combine("..data", "disk.md"));

        using var index = SqliteSopIndex.Open(_sops, _indexPath);
        Assert.Empty(index.Problems);
        Assert.Equal(["disk-full"], index.Documents.Select(d => d.Id));
        Assert.Equal("disk.md", index.Documents[0].SourcePath);

        Generation("..2026_11_25_01_05_00.2", "VolumeFull");
        IReadOnlyList<SopMatch> hits = [];
        for (var attempt = 0; attempt < 100 && hits.Count == 0; attempt++)
        {
            hits = index.Retrieve(Query("VolumeFull"));
            if (hits.Count == 0) Thread.Sleep(100);
        }
        Assert.Equal("disk-full", Assert.Single(hits).Sop.Id);
        Assert.Empty(index.Problems);
    }
}
