using System.Reflection;
using ConnectEvents.Functions.Webhooks;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.DevHost;

/// <summary>The function app's <c>[Function]</c> methods with their trigger attribute, read once from the app assembly.</summary>
public static class AppFunctions
{
    private static readonly Lazy<IReadOnlyList<(FunctionAttribute Function, MethodInfo Method, Attribute? Trigger)>> All = new(() =>
        [.. from type in typeof(ConnectWebhook).Assembly.GetExportedTypes()
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            let function = method.GetCustomAttribute<FunctionAttribute>()
            where function is not null
            select (function, method, method.GetParameters().Select(p => p.GetCustomAttributes().FirstOrDefault(a => a.GetType().Name.EndsWith("TriggerAttribute", StringComparison.Ordinal))).FirstOrDefault(a => a is not null))]);

    /// <summary>Every function whose trigger is a <typeparamref name="TTrigger"/>.</summary>
    public static IEnumerable<(FunctionAttribute Function, MethodInfo Method, TTrigger Trigger)> WithTrigger<TTrigger>() where TTrigger : Attribute =>
        All.Value.Where(f => f.Trigger is TTrigger).Select(f => (f.Function, f.Method, (TTrigger)f.Trigger!));
}
