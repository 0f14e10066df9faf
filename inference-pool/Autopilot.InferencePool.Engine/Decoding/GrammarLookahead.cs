using System.Text;
using LLama;
using LLama.Native;

namespace Autopilot.InferencePool.Engine.Decoding;

/// <summary>
/// Finds the text a grammar leaves no choice about at the current point of a completion, so the scheduler can append it
/// in one step instead of asking the model for it token by token ("jump-forward" decoding). A JSON proposal is mostly
/// such text (keys, punctuation, the route the grammar pins), and every token the model does not have to choose saves
/// a whole batched decode step.
///
/// llama.cpp does not expose its grammar's state, so this asks it: a clone of a grammar-only sampler is offered one token
/// per printable ASCII character (and the end-of-generation tokens); when it admits exactly one character, that
/// character is forced. Models whose vocabulary lacks a single-character token for some printable character get no
/// lookahead (<see cref="Create"/> returns null), because a missing character could hide a second choice.
/// </summary>
internal sealed class GrammarLookahead : IDisposable
{
    /// <summary>Per model: the token of each probed character and the end-of-generation tokens.</summary>
    internal sealed class Alphabet
    {
        private Alphabet(char[] chars, LLamaToken[] tokens, LLamaToken[] endTokens)
        {
            Chars = chars;
            Tokens = tokens;
            EndTokens = endTokens;
        }

        public char[] Chars { get; }
        public LLamaToken[] Tokens { get; }
        public LLamaToken[] EndTokens { get; }

        /// <summary>Null when some printable ASCII character, newline or tab has no token of its own.</summary>
        public static Alphabet? For(LLamaWeights weights)
        {
            var chars = Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Append('\n').Append('\t').ToArray();
            // From the vocabulary itself: tokenizing one character may add a word-start marker (SentencePiece).
            var byChar = new Dictionary<char, LLamaToken>();
            for (var id = 0; id < weights.Vocab.Count; id++)
            {
                var piece = weights.Vocab.LLamaTokenToString((LLamaToken)id, false);
                if (piece is { Length: 1 } && !byChar.ContainsKey(piece[0])) byChar[piece[0]] = (LLamaToken)id;
            }
            if (!chars.All(byChar.ContainsKey)) return null;
            var tokens = chars.Select(c => byChar[c]).ToArray();
            var ends = new[] { weights.Vocab.EOS, weights.Vocab.EOT }.OfType<LLamaToken>().Distinct().ToArray();
            return new Alphabet(chars, tokens, ends);
        }
    }

    /// <summary>Why a forced run ended.</summary>
    internal enum Stop
    {
        /// <summary>The model has a choice here (or the grammar admits a character outside the probed ones).</summary>
        Choice,

        /// <summary>The grammar is complete: only an end-of-generation token may follow.</summary>
        End,

        /// <summary>The run reached the length asked for.</summary>
        Limit,
    }

    private readonly Alphabet _alphabet;
    private readonly SafeLLamaSamplerChainHandle _grammar;
    private readonly LLamaTokenData[] _candidates;

    private GrammarLookahead(Alphabet alphabet, SafeLLamaSamplerChainHandle grammar)
    {
        _alphabet = alphabet;
        _grammar = grammar;
        _candidates = new LLamaTokenData[alphabet.Tokens.Length + alphabet.EndTokens.Length];
    }

    /// <summary>A lookahead over <paramref name="gbnf"/> in its start state, or null when the model's vocabulary
    /// cannot be probed.</summary>
    public static GrammarLookahead? Create(LLamaWeights weights, Alphabet? alphabet, string gbnf, string root = "root")
    {
        if (alphabet is null) return null;
        var chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        chain.AddGrammar(weights.NativeHandle, gbnf, root);
        return new GrammarLookahead(alphabet, chain);
    }

    /// <summary>Advances the grammar past a token the completion emitted (sampled or appended).</summary>
    public void Accept(LLamaToken token) => _grammar.Accept(token);

    /// <summary>The characters the grammar forces next, at most <paramref name="maxChars"/>, and why the run ended.
    /// Leaves the lookahead's own state where it was.</summary>
    public (string Text, Stop Stop) Forced(int maxChars)
    {
        using var probe = CloneGrammar();
        var forced = new StringBuilder();
        while (forced.Length < maxChars)
        {
            var (chars, lastChar, endAllowed) = Probe(probe);
            if (chars != 1 || endAllowed) return (forced.ToString(), chars == 0 && endAllowed ? Stop.End : Stop.Choice);
            forced.Append(_alphabet.Chars[lastChar]);
            probe.Accept(_alphabet.Tokens[lastChar]);
        }
        return (forced.ToString(), Stop.Limit);
    }

    /// <summary>Whether the grammar, from its current state, admits these tokens one after another (accepting a token
    /// it does not admit aborts the process inside llama.cpp, so appended tokens are checked first).</summary>
    public bool Admits(ReadOnlySpan<LLamaToken> tokens)
    {
        using var probe = CloneGrammar();
        var one = new LLamaTokenData[1];
        foreach (var token in tokens)
        {
            one[0] = new LLamaTokenData(token, 0f, 0f);
            Apply(probe, one);
            if (float.IsNegativeInfinity(one[0].Logit)) return false;
            probe.Accept(token);
        }
        return true;
    }

    private SafeLLamaSamplerChainHandle CloneGrammar()
    {
        var probe = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        probe.AddClone(_grammar, 0);
        return probe;
    }

    /// <summary>How many probed characters the grammar admits, the last of them, and whether it admits ending.</summary>
    private (int Chars, int LastChar, bool EndAllowed) Probe(SafeLLamaSamplerChainHandle probe)
    {
        var tokens = _alphabet.Tokens;
        for (var i = 0; i < tokens.Length; i++) _candidates[i] = new LLamaTokenData(tokens[i], 0f, 0f);
        for (var i = 0; i < _alphabet.EndTokens.Length; i++) _candidates[tokens.Length + i] = new LLamaTokenData(_alphabet.EndTokens[i], 0f, 0f);
        Apply(probe, _candidates);

        int chars = 0, lastChar = -1;
        for (var i = 0; i < tokens.Length; i++)
            if (!float.IsNegativeInfinity(_candidates[i].Logit)) (chars, lastChar) = (chars + 1, i);
        var endAllowed = _candidates.Skip(tokens.Length).Any(c => !float.IsNegativeInfinity(c.Logit));
        return (chars, lastChar, endAllowed);
    }

    /// <summary>Marks the candidates the grammar refuses with a logit of -infinity (the probe's state is unchanged).</summary>
    private static void Apply(SafeLLamaSamplerChainHandle probe, LLamaTokenData[] candidates)
    {
        var array = new LLamaTokenDataArray(candidates);
        using (LLamaTokenDataArrayNative.Create(array, out var native)) probe.Apply(ref native);
    }

    public void Dispose() => _grammar.Dispose();
}
