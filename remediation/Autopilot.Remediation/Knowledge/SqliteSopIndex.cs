// Over 300 lines: index build, file watching, rule matching and BM25 retrieval share one SQLite connection and lock.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Autopilot.Remediation.Alerts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Remediation.Knowledge;

/// <summary>
/// The local SOP / post-mortem knowledge base: the Markdown files in one directory, parsed and
/// validated, with a SQLite FTS5 index persisted next to them. Retrieval combines two signals:
/// structured matching (alert name and label conditions from the front matter) dominates, because an
/// SOP written for an alert is authoritative for it; BM25 over title, alert names, tags and body ranks
/// ties and finds post-mortems and SOPs no rule names. The index is rebuilt when the files' content
/// hash differs from the one stored with it (on open) and when a file changes (file watcher).
/// </summary>
public sealed class SqliteSopIndex : ISopRetriever, IDisposable
{
    private const string SchemaVersion = "1";
    private const double SopRuleScore = 100;
    private const double PostMortemRuleScore = 60;
    private const double LabelConditionScore = 5;
    private const double MaxTextScore = 10;
    private const int MaxQueryTerms = 48;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "from", "that", "this", "are", "was", "not", "but", "has", "have", "its",
        "alert", "alerts", "firing", "resolved", "workload", "version", "route", "rule", "weights", "stable",
        "ago", "first", "last", "age", "before", "err", "rps", "restarts", "severity", "omitted", "facts",
        "lower", "ranked", "groups", "action", "namespace", "critical", "warning", "info", "n/a",
    };

    private readonly object _gate = new();
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly SqliteConnection _connection;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _debounce;
    private volatile bool _dirty;
    private bool _disposed;
    private Dictionary<string, IndexedSop> _documents = new(StringComparer.Ordinal);

    private sealed record IndexedSop(Sop Sop, HashSet<string> Terms);

    private SqliteSopIndex(string directory, string indexFilePath, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        IndexFilePath = indexFilePath;
        _connection = OpenDatabase(indexFilePath, logger);
        _debounce = new Timer(_ => RefreshInBackground());
        try
        {
            // Every entry, not just *.md: a ConfigMap update arrives as the rename of "..data_tmp" to "..data".
            _watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Deleted += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.Error += (_, e) =>
            {
                _logger.LogWarning(e.GetException(), "SOP directory watcher failed for {Directory}; checking files on every lookup", _directory);
                WatcherFailed = true;
            };
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // inotify limits are per user and shared; without a watcher every lookup re-hashes the
            // directory instead, which for a few dozen small files is cheap.
            _logger.LogWarning(ex, "Cannot watch SOP directory {Directory}; checking files on every lookup", directory);
            _watcher?.Dispose();
            _watcher = null;
            WatcherFailed = true;
        }
    }

    public string Directory => _directory;

    public string IndexFilePath { get; }

    /// <summary>Hash of every indexed file's path and content; stored in the index to detect staleness.</summary>
    public string ContentHash { get; private set; } = "";

    /// <summary>Files that were skipped because they are invalid, with every problem found.</summary>
    public IReadOnlyList<SopValidationError> Problems { get; private set; } = [];

    /// <summary>How many times the FTS index has been (re)built by this instance; 0 when the persisted index was current.</summary>
    public int RebuildCount { get; private set; }

    /// <summary>True while lookups cannot rely on the file watcher.</summary>
    public bool WatcherFailed { get; private set; }

    /// <summary>Raised (on a background thread) after the index was rebuilt because files changed.</summary>
    public event EventHandler? Reindexed;

    public IReadOnlyList<Sop> Documents
    {
        get
        {
            lock (_gate) return _documents.Values.Select(d => d.Sop).OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        }
    }

    public static SqliteSopIndex Open(string sopDirectory, string indexFilePath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sopDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(indexFilePath);
        var directory = Path.GetFullPath(sopDirectory);
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"SOP directory '{directory}' does not exist; point the SOP directory setting at the folder holding the SOP Markdown files (the repository ships sops/).");
        var indexPath = Path.GetFullPath(indexFilePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(indexPath)!);

        var index = new SqliteSopIndex(directory, indexPath, logger ?? NullLogger.Instance);
        try
        {
            index.Refresh();
            return index;
        }
        catch
        {
            index.Dispose();
            throw;
        }
    }

    /// <summary>Re-reads the directory now; rebuilds the index if any file changed. Returns true when it rebuilt.</summary>
    public bool Refresh()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _dirty = false;
            var files = ReadFiles();
            var hash = HashOf(files);
            if (hash == ContentHash) return false;

            var documents = new Dictionary<string, IndexedSop>(StringComparer.Ordinal);
            var problems = new List<SopValidationError>();
            foreach (var (relativePath, text) in files)
            {
                if (!SopDocument.TryParse(text, relativePath, out var sop, out var errors))
                {
                    problems.AddRange(errors);
                    continue;
                }
                if (documents.TryGetValue(sop.Id, out var existing))
                {
                    problems.Add(new SopValidationError(relativePath, "id", $"'{sop.Id}' is already used by {existing.Sop.SourcePath}; ids must be unique"));
                    continue;
                }
                documents[sop.Id] = new IndexedSop(sop, Words(IndexedText(sop)).ToHashSet(StringComparer.Ordinal));
            }
            foreach (var problem in problems)
                _logger.LogError("Skipping invalid SOP {File}: {Key}: {Problem}", problem.File, problem.Key, problem.Message);

            var rebuilt = StoredHash() != hash;
            if (rebuilt) Rebuild(documents.Values.Select(d => d.Sop), hash);
            var firstLoad = ContentHash.Length == 0;
            _documents = documents;
            Problems = problems;
            ContentHash = hash;
            _logger.LogInformation(
                "SOP index {Action}: {Count} documents from {Directory} ({Invalid} invalid files)",
                rebuilt ? "rebuilt" : "up to date", documents.Count, _directory, problems.Select(p => p.File).Distinct().Count());
            if (!firstLoad) ThreadPool.QueueUserWorkItem(_ => Reindexed?.Invoke(this, EventArgs.Empty));
            return rebuilt;
        }
    }

    public IReadOnlyList<SopMatch> Retrieve(SopQuery query, int top = 3)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        if (_dirty || WatcherFailed)
        {
            try
            {
                Refresh();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
            {
                // Keep answering from the last good index; the next lookup tries again.
                _dirty = true;
                _logger.LogError(ex, "Re-indexing SOP directory {Directory} failed; answering from the previous index", _directory);
            }
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var candidates = new Dictionary<string, (double Score, List<string> Reasons, bool ByRule)>(StringComparer.Ordinal);

            // Firing alerts decide; resolved ones only count when nothing fires.
            var alerts = query.Alerts.Where(a => a.Status == AlertStatus.Firing).ToList();
            if (alerts.Count == 0) alerts = query.Alerts.ToList();
            foreach (var document in _documents.Values)
            {
                if (StructuredMatch(document.Sop, alerts) is { } structured)
                    candidates[document.Sop.Id] = (structured.Score, structured.Reasons, true);
            }

            var terms = QueryTerms(query, alerts);
            foreach (var (id, bm25) in TextMatches(terms))
            {
                if (!_documents.TryGetValue(id, out var document)) continue;
                var relevance = -bm25; // FTS5's bm25() is lower-is-better
                var textScore = MaxTextScore * relevance / (1 + relevance);
                if (textScore <= 0) continue;
                var matched = terms.Where(document.Terms.Contains).Take(8).ToList();
                var reason = string.Create(CultureInfo.InvariantCulture,
                    $"text: bm25 {relevance:0.###} on {(matched.Count > 0 ? string.Join(", ", matched) : "stemmed terms")}");
                if (candidates.TryGetValue(id, out var existing))
                {
                    existing.Reasons.Add(reason);
                    candidates[id] = (existing.Score + textScore, existing.Reasons, existing.ByRule);
                }
                else
                {
                    candidates[id] = (textScore, [reason], false);
                }
            }

            return candidates
                .Select(c => new SopMatch(_documents[c.Key].Sop, Math.Round(c.Value.Score, 6), c.Value.Reasons) { MatchedByRule = c.Value.ByRule })
                .OrderByDescending(m => m.Score)
                .ThenBy(m => m.Sop.Kind)
                .ThenBy(m => m.Sop.Id, StringComparer.Ordinal)
                .Take(top)
                .ToList();
        }
    }

    private static (double Score, List<string> Reasons)? StructuredMatch(Sop sop, List<Alert> alerts)
    {
        var rule = sop.Matches;
        if (rule.AlertNames.Count == 0 && rule.Labels.Count == 0) return null;
        var matchedAlerts = alerts.Where(rule.Matches).ToList();
        if (matchedAlerts.Count == 0) return null;

        var names = matchedAlerts.Select(a => a.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reasons = new List<string>();
        if (rule.AlertNames.Count > 0)
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"alert name {string.Join(", ", names)} in matches.alerts ({matchedAlerts.Count} alerts)"));
        foreach (var (label, condition) in rule.Labels)
            reasons.Add($"label {label}={matchedAlerts[0].Label(label)} matches '{condition}'");

        var score = (sop.Kind == KnowledgeKind.Sop ? SopRuleScore : PostMortemRuleScore) + LabelConditionScore * Math.Min(rule.Labels.Count, 4);
        return (score, reasons);
    }

    private List<string> QueryTerms(SopQuery query, List<Alert> alerts)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string text)
        {
            foreach (var word in Words(text))
                if (terms.Count < MaxQueryTerms && !StopWords.Contains(word) && seen.Add(word)) terms.Add(word);
        }
        foreach (var alert in alerts.OrderBy(a => a.Name, StringComparer.Ordinal))
            Add(AlertNameWords(alert.Name));
        foreach (var alert in alerts.Take(20))
            if (alert.Annotations.TryGetValue("summary", out var summary)) Add(summary);
        Add(query.FactText ?? "");
        return terms;
    }

    private List<(string Id, double Bm25)> TextMatches(List<string> terms)
    {
        var results = new List<(string, double)>();
        if (terms.Count == 0) return results;
        using var command = _connection.CreateCommand();
        // Column weights: id (unindexed), title, alert names, tags, body.
        command.CommandText = """
            SELECT id, bm25(sop_fts, 0.0, 4.0, 3.0, 2.0, 1.0) AS rank
            FROM sop_fts WHERE sop_fts MATCH $query ORDER BY rank LIMIT 50
            """;
        command.Parameters.AddWithValue("$query", string.Join(" OR ", terms.Select(t => $"\"{t}\"")));
        using var reader = command.ExecuteReader();
        while (reader.Read()) results.Add((reader.GetString(0), reader.GetDouble(1)));
        return results;
    }

    // ---- files and hashing ----

    /// <summary>Hidden entries are skipped: a Kubernetes ConfigMap volume holds every file twice, once in
    /// a timestamped "..2026_…" directory behind the "..data" link and once as the visible link.</summary>
    private static readonly EnumerationOptions SkipHidden = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        IgnoreInaccessible = true,
        MatchType = MatchType.Simple,
    };

    private List<(string RelativePath, string Text)> ReadFiles()
    {
        var files = new List<(string, string)>();
        foreach (var file in System.IO.Directory.EnumerateFiles(_directory, "*.md", SkipHidden)
                     .Where(f => !string.Equals(Path.GetFileName(f), "README.md", StringComparison.OrdinalIgnoreCase))
                     .Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(_directory, file).Replace('\\', '/');
            try
            {
                files.Add((relative, File.ReadAllText(file, Encoding.UTF8)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Mid-write or just deleted: the watcher will fire again when it settles.
                _logger.LogWarning(ex, "Cannot read SOP file {File}; will retry on the next change", relative);
                _dirty = true;
            }
        }
        return files;
    }

    private static string HashOf(List<(string RelativePath, string Text)> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"schema {SchemaVersion}\n"));
        foreach (var (path, text) in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(path));
            sha.AppendData([0]);
            sha.AppendData(Encoding.UTF8.GetBytes(text));
            sha.AppendData([0]);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    // ---- database ----

    private static SqliteConnection OpenDatabase(string path, ILogger logger)
    {
        try
        {
            return CreateSchema(path);
        }
        catch (SqliteException ex)
        {
            // The index is derived data: a corrupt or foreign file is replaced, never trusted.
            logger.LogWarning(ex, "SOP index {Path} is unreadable; recreating it", path);
            SqliteConnection.ClearAllPools();
            File.Delete(path);
            return CreateSchema(path);
        }
    }

    private static SqliteConnection CreateSchema(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """);
            if (ReadMeta(connection, "schema_version") is { } version && version != SchemaVersion)
                Execute(connection, "DROP TABLE IF EXISTS sop_fts; DELETE FROM meta;");
            Execute(connection, $"""
                CREATE VIRTUAL TABLE IF NOT EXISTS sop_fts USING fts5(id UNINDEXED, title, alerts, tags, body, tokenize = 'porter unicode61');
                INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', '{SchemaVersion}');
                """);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private string? StoredHash() => ReadMeta(_connection, "content_hash");

    private static string? ReadMeta(SqliteConnection connection, string key)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private void Rebuild(IEnumerable<Sop> sops, string hash)
    {
        using var transaction = _connection.BeginTransaction();
        Execute(_connection, "DELETE FROM sop_fts;", transaction);
        foreach (var sop in sops)
        {
            using var insert = _connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO sop_fts (id, title, alerts, tags, body) VALUES ($id, $title, $alerts, $tags, $body)";
            insert.Parameters.AddWithValue("$id", sop.Id);
            insert.Parameters.AddWithValue("$title", sop.Title);
            insert.Parameters.AddWithValue("$alerts", string.Join(' ', sop.Matches.AlertNames.Select(AlertNameWords)));
            insert.Parameters.AddWithValue("$tags", string.Join(' ', sop.Tags));
            insert.Parameters.AddWithValue("$body", sop.Body);
            insert.ExecuteNonQuery();
        }
        using (var meta = _connection.CreateCommand())
        {
            meta.Transaction = transaction;
            meta.CommandText = "INSERT OR REPLACE INTO meta (key, value) VALUES ('content_hash', $hash)";
            meta.Parameters.AddWithValue("$hash", hash);
            meta.ExecuteNonQuery();
        }
        transaction.Commit();
        RebuildCount++;
        SignalsTelemetry.SopIndexRebuilt();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // ---- text ----

    private static string IndexedText(Sop sop) =>
        string.Join(' ', [sop.Title, .. sop.Matches.AlertNames.Select(AlertNameWords), .. sop.Tags, sop.Body]);

    /// <summary>"CanaryHighErrorRate" → "CanaryHighErrorRate canary high error rate", so either form matches.</summary>
    internal static string AlertNameWords(string name)
    {
        var words = new StringBuilder(name).Append(' ');
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                words.Append(' ');
            words.Append(name[i] == '_' ? ' ' : char.ToLowerInvariant(name[i]));
        }
        return words.ToString();
    }

    internal static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (word.Length >= 3 && word.Length <= 40 && !word.ToString().All(char.IsDigit)) yield return word.ToString();
            word.Clear();
        }
    }

    // ---- change detection ----

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        _dirty = true;
        try
        {
            // Editors write in bursts (truncate, write, rename); rebuild once they settle.
            _debounce.Change(TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void RefreshInBackground()
    {
        try
        {
            if (_dirty && !_disposed) Refresh();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Re-indexing SOP directory {Directory} failed; the previous index stays in use", _directory);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _watcher?.Dispose();
            _debounce.Dispose();
            _connection.Dispose();
        }
    }
}
