using System.Reflection;
using Autopilot.Actors.Guardrail;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Guardrail;

namespace Autopilot.Actors.Tests.Host;

/// <summary>Only the guardrail may reach the gateway-bridge: no other type of the actors app, the shared HTTP surface
/// or the incident logic may mention the bridge client in a field, property, parameter, return type, local or base
/// type. The shared HTTP surface stays free of Dapr, so the stand-alone host can map it.</summary>
public sealed class DependencyRulesTests
{
    private static readonly Type[] Allowed = [typeof(GuardrailProcess), typeof(GuardrailActor)];

    [Fact]
    public void Only_the_guardrail_depends_on_the_gateway_bridge_client()
    {
        var assemblies = new[] { typeof(GuardrailProcess).Assembly, typeof(GuardrailActor).Assembly, typeof(Api.ApiServiceCollectionExtensions).Assembly };
        var offenders = assemblies.SelectMany(a => a.GetTypes())
            .Where(t => !Allowed.Contains(Outermost(t)) && References(t, typeof(IGatewayBridgeClient)))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(offenders.Count == 0, "These types depend on IGatewayBridgeClient: " + string.Join(", ", offenders));
        Assert.True(References(typeof(GuardrailProcess), typeof(IGatewayBridgeClient)), "the check must see the guardrail's own dependency");
    }

    [Fact]
    public void The_http_surface_both_runtimes_map_does_not_depend_on_dapr()
    {
        var references = typeof(Api.ApiServiceCollectionExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Dapr", StringComparison.Ordinal));
        Assert.Contains("Autopilot.Incidents", references);
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static bool References(Type type, Type target)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var mentioned = new List<Type?> { type.BaseType };
        mentioned.AddRange(type.GetInterfaces());
        mentioned.AddRange(type.GetFields(all).Select(f => f.FieldType));
        mentioned.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            mentioned.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info) mentioned.Add(info.ReturnType);
            var body = method.GetMethodBody();
            if (body is not null) mentioned.AddRange(body.LocalVariables.Select(l => l.LocalType));
        }
        return mentioned.Any(t => t is not null && Mentions(t, target));
    }

    private static bool Mentions(Type type, Type target) =>
        type == target
        || (type.HasElementType && Mentions(type.GetElementType()!, target))
        || (type.IsGenericType && type.GetGenericArguments().Any(a => Mentions(a, target)));
}
