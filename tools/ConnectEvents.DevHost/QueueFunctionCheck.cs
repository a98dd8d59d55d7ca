using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using WebJobs = Microsoft.Azure.WebJobs;

namespace ConnectEvents.DevHost;

/// <summary>One queue-triggered function: its name, queue (a <c>%setting%</c> reference or a name) and connection.</summary>
/// <param name="Name">The function name.</param>
/// <param name="QueueName">The trigger's queue name expression.</param>
/// <param name="Connection">The trigger's connection setting.</param>
public sealed record QueueFunction(string Name, string QueueName, string? Connection);

/// <summary>Compares the app's queue-triggered functions with the ones <see cref="QueueFunctions"/> hands to the WebJobs listener.</summary>
public static class QueueFunctionCheck
{
    /// <summary>The app's <c>[Function]</c> methods whose trigger is the worker's <c>[QueueTrigger]</c>.</summary>
    public static IReadOnlyList<QueueFunction> InApp() =>
        [.. AppFunctions.WithTrigger<QueueTriggerAttribute>().Select(f => new QueueFunction(f.Function.Name, f.Trigger.QueueName, f.Trigger.Connection))];

    /// <summary>The classes holding the dev host's WebJobs queue functions (the listener is handed those that are on).</summary>
    public static IReadOnlyList<Type> Classes { get; } = [typeof(QueueFunctions), typeof(Platform3QueueFunctions)];

    /// <summary>The functions the dev host's WebJobs listener can run.</summary>
    public static IReadOnlyList<QueueFunction> InDevHost() =>
        [.. from type in Classes
            from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            let function = method.GetCustomAttribute<WebJobs.FunctionNameAttribute>()
            let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<WebJobs.QueueTriggerAttribute>()).FirstOrDefault(a => a is not null)
            where function is not null && trigger is not null
            select new QueueFunction(function.Name, trigger.QueueName, trigger.Connection)];

    /// <summary>Stops the start when the two lists differ, naming the difference.</summary>
    public static void Verify()
    {
        var app = InApp().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var dev = InDevHost().OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        if (!app.SequenceEqual(dev))
        {
            throw new InvalidOperationException(
                $"The dev host's queue functions ({string.Join(", ", dev)}) differ from the app's ({string.Join(", ", app)}): update QueueFunctions.");
        }
    }
}
