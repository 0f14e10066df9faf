using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;
using Autopilot.Actors.Guardrail;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;

namespace Autopilot.Actors.Tests.Host;

/// <summary>
/// Lock (c): the guardrail is the only code path that can change traffic. Every product assembly of the solution (every
/// project outside tests/ and benchmarks/: both hosts, MCP, the stand-alone runtime, the workflow activities, the model,
/// the inference pool, the bridge) is read from its own project's output folder and each type's signatures and IL
/// (including compiler-generated async state machines and lambdas, counted to their outermost type) are scanned for:
/// the gateway-bridge client library's types, the bridge's named HttpClient, Dapr service invocation of
/// "gateway-bridge" (the app id as a string literal), approval signing (ApprovalToken.Sign / SignUndo) and the signing
/// key (GuardrailServices.SigningKey / SigningKeyFrom, GuardrailKeyOptions.SigningKey, its configuration key as a literal). Each may appear only in its allow-list. The MCP assembly may not
/// mention IGuardrailGateway at all, so none of its write methods.
/// </summary>
public sealed class GuardrailIsolationTests
{
    private const string ClientNamespace = "Autopilot.GatewayBridge.Client";

    /// <summary>The guardrail's own code path and its DI registration, the bridge and the client library itself.</summary>
    private static readonly string[] BridgeClientAllowed =
    [
        typeof(GuardrailProcess).FullName!,            // the only caller of the bridge
        typeof(GuardrailActor).FullName!,              // Dapr host of GuardrailProcess: hands it the client
        "Autopilot.Standalone.Adapters.InProcessGuardrailGateway", // stand-alone host of GuardrailProcess: the same
        "Autopilot.Actors.ActorsHost",                  // DI registration: AddGatewayBridgeHttpClient
        "Autopilot.Standalone.Hosting.AutopilotHost",   // DI registration of the in-process bridge
        "assembly:Autopilot.GatewayBridge.Client",
        "assembly:Autopilot.GatewayBridge.Core",
        "assembly:Autopilot.GatewayBridge",
    ];

    private static readonly string[] NamedHttpClientAllowed = ["assembly:Autopilot.GatewayBridge.Client"];

    private static readonly string[] BridgeAppIdAllowed =
    [
        "assembly:Autopilot.GatewayBridge.Client", // GatewayBridgeClientOptions.DaprAppId's default
        "assembly:Autopilot.GatewayBridge",        // the bridge's own app id
    ];

    private static readonly string[] SigningAllowed = [typeof(GuardrailProcess).FullName!, "assembly:Autopilot.Remediation"];

    private static readonly string[] SigningKeyAllowed =
    [
        typeof(GuardrailProcess).FullName!,
        typeof(GuardrailServices).FullName!,
        typeof(GuardrailKeyOptions).FullName!, // start-up validation: is the configured key usable
        "Autopilot.Actors.ActorsHost",                // loads it from the secret store at start-up (its configuration key)
        "Autopilot.Standalone.Hosting.AutopilotHost", // makes one per state directory (its configuration key)
    ];

    /// <summary>Where the key sits before the guardrail takes it: configuration, bound to GuardrailOptions.</summary>
    private const string SigningKeySetting = GuardrailOptions.Section + ":SigningKey";

    private static readonly Lazy<IReadOnlyList<Assembly>> Products = new(LoadProducts);
    private static readonly Lazy<IReadOnlyList<Finding>> Findings = new(() => [.. Products.Value.SelectMany(Scan)]);

    [Fact]
    public void Every_product_project_of_the_solution_is_scanned()
    {
        var names = Products.Value.Select(a => a.GetName().Name).ToList();

        Assert.True(names.Count >= 16, "expected every product project, found: " + string.Join(", ", names));
        foreach (var expected in new[]
                 {
                     "Autopilot.Mcp", "autopilot" /* stand-alone */, "Autopilot.Actors", "Autopilot.Incidents", "Autopilot.Api",
                     "Autopilot.GatewayBridge", "Autopilot.GatewayBridge.Client", "Autopilot.InferencePool", "autopilot-trainer",
                 })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void The_scanner_sees_the_guardrails_own_legitimate_references()
    {
        // Without these an empty scan (a broken loader or IL reader) would pass every rule below.
        Assert.Contains(Findings.Value, f => f.Rule == Rule.BridgeClient && f.Type == typeof(GuardrailProcess).FullName);
        Assert.Contains(Findings.Value, f => f.Rule == Rule.BridgeClient && f.Type == "Autopilot.Standalone.Adapters.InProcessGuardrailGateway");
        Assert.Contains(Findings.Value, f => f.Rule == Rule.Signing && f.Type == typeof(GuardrailProcess).FullName && f.What.Contains("SignUndo"));
        Assert.Contains(Findings.Value, f => f.Rule == Rule.Signing && f.Type == typeof(GuardrailProcess).FullName && f.What.EndsWith(".Sign", StringComparison.Ordinal));
        Assert.Contains(Findings.Value, f => f.Rule == Rule.SigningKey && f.Type == typeof(GuardrailProcess).FullName);
        Assert.Contains(Findings.Value, f => f.Rule == Rule.SigningKey && f.Type == "Autopilot.Actors.ActorsHost" && f.What.Contains(SigningKeySetting));
        Assert.Contains(Findings.Value, f => f.Rule == Rule.SigningKey && f.Type == typeof(GuardrailServices).FullName && f.What.EndsWith("get_SigningKey", StringComparison.Ordinal));
        Assert.Contains(Findings.Value, f => f.Rule == Rule.NamedHttpClient && f.Assembly == "Autopilot.GatewayBridge.Client");
        Assert.Contains(Findings.Value, f => f.Rule == Rule.BridgeAppId && f.Type == typeof(GatewayBridgeClientOptions).FullName);
        Assert.Contains(Findings.Value, f => f.Rule == Rule.ServiceInvocation && f.Type == typeof(GatewayBridgeHttpClient).FullName);
    }

    [Fact]
    public void Only_the_guardrail_and_its_registration_reference_the_gateway_bridge_client() =>
        AssertOnlyAllowed(Rule.BridgeClient, BridgeClientAllowed);

    [Fact]
    public void Only_the_client_library_uses_the_bridges_named_http_client() =>
        AssertOnlyAllowed(Rule.NamedHttpClient, NamedHttpClientAllowed);

    [Fact]
    public void No_product_code_invokes_the_gateway_bridge_app_through_dapr() =>
        AssertOnlyAllowed(Rule.BridgeAppId, BridgeAppIdAllowed);

    /// <summary>The product invokes no app through Dapr but the bridge (actor proxies are not service invocation), so any
    /// DaprClient.InvokeMethod* / CreateInvoke* call or "dapr-app-id" header outside the client library could carry a
    /// computed app id past the literal check above.</summary>
    [Fact]
    public void Only_the_bridge_client_uses_dapr_service_invocation() =>
        AssertOnlyAllowed(Rule.ServiceInvocation, NamedHttpClientAllowed);

    [Fact]
    public void Only_the_guardrail_signs_approvals() => AssertOnlyAllowed(Rule.Signing, SigningAllowed);

    [Fact]
    public void Only_the_guardrail_reaches_the_approval_signing_key() => AssertOnlyAllowed(Rule.SigningKey, SigningKeyAllowed);

    [Fact]
    public void Mcp_tools_get_only_the_read_only_guardrail_port()
    {
        var mcp = Products.Value.Single(a => a.GetName().Name == "Autopilot.Mcp");
        var writes = typeof(IGuardrailGateway).GetMethods().Select(m => m.Name).ToHashSet();
        var mentions = Findings.Value.Where(f => f.Assembly == "Autopilot.Mcp" && f.Rule == Rule.GuardrailGateway).ToList();

        Assert.True(mentions.Count == 0, "MCP mentions IGuardrailGateway: " + string.Join("; ", mentions));
        Assert.Equal(new[] { "AnswerApprovalAsync", "SubmitAsync", "UndoAsync" }, writes.Order());
        Assert.Empty(typeof(IGuardrailReader).GetMethods().Select(m => m.Name).Intersect(writes));
        // The self-check: the scanner does see MCP's use of the read-only port.
        Assert.Contains(Findings.Value, f => f.Assembly == "Autopilot.Mcp" && f.Rule == Rule.GuardrailReader && f.What.Contains("ReadRouteAsync"));
        Assert.NotEmpty(mcp.GetTypes());
    }

    private static void AssertOnlyAllowed(Rule rule, string[] allowed)
    {
        var offenders = Findings.Value
            .Where(f => f.Rule == rule && !allowed.Contains(f.Type) && !allowed.Contains("assembly:" + f.Assembly))
            .Select(f => f.ToString())
            .Distinct()
            .ToList();
        Assert.True(offenders.Count == 0, $"{rule} outside its allow-list:\n" + string.Join("\n", offenders));
    }

    // ---------------------------------------------------------------- loading

    /// <summary>Every project in Autopilot.sln outside tests/ and benchmarks/, from its own bin folder (this test
    /// project builds them all: see its ReferenceOutputAssembly="false" references), each in its own load context.</summary>
    private static IReadOnlyList<Assembly> LoadProducts()
    {
        var root = RepositoryRoot();
        var configuration = typeof(GuardrailIsolationTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var projects = File.ReadLines(Path.Combine(root, "Autopilot.sln"))
            .Where(l => l.StartsWith("Project(", StringComparison.Ordinal) && l.Contains(".csproj", StringComparison.Ordinal))
            .Select(l => l.Split('"')[5].Replace('\\', '/'))
            .Where(p => !p.StartsWith("tests/", StringComparison.Ordinal) && !p.StartsWith("benchmarks/", StringComparison.Ordinal))
            .ToList();
        var files = new List<(string Project, string Name, string Dll)>();
        foreach (var project in projects)
        {
            var file = Path.Combine(root, project);
            var name = System.Xml.Linq.XDocument.Load(file).Descendants("AssemblyName").FirstOrDefault()?.Value
                ?? Path.GetFileNameWithoutExtension(file);
            files.Add((project, name, Path.Combine(Path.GetDirectoryName(file)!, "bin", configuration, "net10.0", name + ".dll")));
        }
        foreach (var (project, _, dll) in files)
            Assert.True(File.Exists(dll), $"{project} is not built at {dll}; reference it from this test project (ReferenceOutputAssembly=\"false\").");
        // One context over all the products' output folders: a library's own folder lacks its packages, the
        // applications' folders have them.
        var context = new ProductLoadContext([.. files.Select(f => Path.GetDirectoryName(f.Dll)!).Distinct()]);
        return [.. files.Select(f => context.LoadFromAssemblyName(new AssemblyName(f.Name)))];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autopilot.sln"))) return dir.FullName;
        throw new InvalidOperationException("Autopilot.sln not found above " + AppContext.BaseDirectory);
    }

    private sealed class ProductLoadContext(IReadOnlyList<string> folders) : AssemblyLoadContext("products", isCollectible: false)
    {
        protected override Assembly? Load(AssemblyName name)
        {
            // Shared framework assemblies come from the default context; everything the products ship, from their folders.
            try
            {
                var fromDefault = Default.LoadFromAssemblyName(name);
                if (IsFramework(fromDefault)) return fromDefault;
            }
            catch (IOException)
            {
            }
            return folders.Select(f => Path.Combine(f, name.Name + ".dll")).Where(File.Exists).Select(LoadFromAssemblyPath).FirstOrDefault();
        }

        private static bool IsFramework(Assembly assembly) =>
            assembly.Location.Contains(Path.DirectorySeparatorChar + "shared" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- scanning

    private enum Rule { BridgeClient, NamedHttpClient, BridgeAppId, Signing, SigningKey, GuardrailGateway, GuardrailReader, ServiceInvocation }

    private sealed record Finding(Rule Rule, string Assembly, string Type, string Member, string What)
    {
        public override string ToString() => $"{Type}.{Member} -> {What} ({Assembly})";
    }

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static IEnumerable<Finding> Scan(Assembly assembly)
    {
        var assemblyName = assembly.GetName().Name!;
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            throw new InvalidOperationException($"{assemblyName}: types failed to load: {string.Join("; ", e.LoaderExceptions.Select(x => x?.Message))}", e);
        }
        foreach (var type in types)
        {
            var owner = Outermost(type).FullName ?? type.Name;
            Finding Found(Rule rule, string member, string what) => new(rule, assemblyName, owner, member, what);

            foreach (var mentioned in Signature(type))
                foreach (var rule in TypeRules(mentioned))
                    yield return Found(rule, "(signature)", mentioned.FullName ?? mentioned.Name);

            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                foreach (var (member, literal) in Il(method))
                {
                    if (literal is not null)
                    {
                        if (literal == GatewayBridgeClientServiceCollectionExtensions.HttpClientName)
                            yield return Found(Rule.NamedHttpClient, method.Name, $"\"{literal}\"");
                        if (literal == GatewayBridgeHttpClient.DaprAppIdHeader)
                            yield return Found(Rule.ServiceInvocation, method.Name, $"\"{literal}\"");
                        if (literal == GatewayBridgeClientOptionsDefaultAppId)
                            yield return Found(Rule.BridgeAppId, method.Name, $"\"{literal}\"");
                        if (literal.Equals(SigningKeySetting, StringComparison.OrdinalIgnoreCase))
                            yield return Found(Rule.SigningKey, method.Name, $"\"{literal}\"");
                        continue;
                    }
                    if (member is null) continue;
                    var declaring = member as Type ?? member.DeclaringType;
                    var what = $"{declaring?.FullName}.{member.Name}";
                    if (declaring is not null)
                        foreach (var rule in TypeRules(declaring))
                            yield return Found(rule, method.Name, what);
                    if (declaring?.FullName == "Dapr.Client.DaprClient"
                        && (member.Name.StartsWith("InvokeMethod", StringComparison.Ordinal) || member.Name.StartsWith("CreateInvoke", StringComparison.Ordinal)))
                        yield return Found(Rule.ServiceInvocation, method.Name, what);
                    if (declaring?.FullName == typeof(ApprovalToken).FullName && member.Name is nameof(ApprovalToken.Sign) or nameof(ApprovalToken.SignUndo))
                        yield return Found(Rule.Signing, method.Name, what);
                    if (declaring?.FullName == typeof(GuardrailServices).FullName
                        && member.Name is "get_" + nameof(GuardrailServices.SigningKey) or nameof(GuardrailServices.SigningKeyFrom) or "_signingKey")
                        yield return Found(Rule.SigningKey, method.Name, what);
                    // The bound options are injectable anywhere; reading their key is reaching the key.
                    if (declaring?.FullName == typeof(GuardrailKeyOptions).FullName && member.Name == "get_" + nameof(GuardrailKeyOptions.SigningKey))
                        yield return Found(Rule.SigningKey, method.Name, what);
                }
            }
        }
    }

    private static readonly string GatewayBridgeClientOptionsDefaultAppId = new GatewayBridgeClientOptions().DaprAppId!;

    private static IEnumerable<Rule> TypeRules(Type type)
    {
        foreach (var t in Flatten(type))
        {
            if (t.Namespace == ClientNamespace) yield return Rule.BridgeClient;
            if (t.FullName == typeof(IGuardrailGateway).FullName) yield return Rule.GuardrailGateway;
            if (t.FullName == typeof(IGuardrailReader).FullName) yield return Rule.GuardrailReader;
        }
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        yield return type;
        if (type.HasElementType)
            foreach (var t in Flatten(type.GetElementType()!)) yield return t;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
            foreach (var a in type.GetGenericArguments())
                foreach (var t in Flatten(a)) yield return t;
    }

    /// <summary>Base type, interfaces, fields, properties, parameters, return types and locals.</summary>
    private static IEnumerable<Type> Signature(Type type)
    {
        var mentioned = new List<Type?> { type.BaseType };
        mentioned.AddRange(type.GetInterfaces());
        mentioned.AddRange(type.GetFields(Declared).Select(f => f.FieldType));
        mentioned.AddRange(type.GetProperties(Declared).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            mentioned.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info) mentioned.Add(info.ReturnType);
            var body = method.GetMethodBody();
            if (body is not null) mentioned.AddRange(body.LocalVariables.Select(l => l.LocalType));
        }
        return mentioned.OfType<Type>();
    }

    /// <summary>Every member (call, newobj, ldfld, ldtoken, ldftn...) and string literal the method's IL names.</summary>
    private static IEnumerable<(MemberInfo? Member, string? Literal)> Il(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var module = method.Module;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            if (!OpCodesByValue.TryGetValue(value, out var op))
                throw new InvalidOperationException($"{method.DeclaringType}.{method.Name}: unknown opcode 0x{value:X} at {at}");
            switch (op.OperandType)
            {
                case OperandType.InlineString:
                    yield return (null, module.ResolveString(BitConverter.ToInt32(il, at)));
                    at += 4;
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    MemberInfo? member;
                    try
                    {
                        member = module.ResolveMember(BitConverter.ToInt32(il, at), typeArgs, methodArgs);
                    }
                    catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMemberException or BadImageFormatException)
                    {
                        throw new InvalidOperationException($"{method.DeclaringType}.{method.Name}: cannot resolve a token: {e.Message}", e);
                    }
                    yield return (member, null);
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                default: // InlineBrTarget, InlineI, InlineSig, ShortInlineR, InlineField handled above
                    at += 4;
                    break;
            }
        }
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }
}
