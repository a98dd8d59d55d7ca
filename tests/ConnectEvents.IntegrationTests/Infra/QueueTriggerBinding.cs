using System.Text.Json;

namespace ConnectEvents.IntegrationTests.Infra;

/// <summary>A queueTrigger binding as the generated functions.metadata declares it, which is what the Functions host runs.</summary>
/// <param name="Function">The function's name (its <c>AzureWebJobs.&lt;name&gt;.Disabled</c> setting switches it off).</param>
/// <param name="QueueName">The queue name as written, usually a <c>%Setting%</c> reference.</param>
/// <param name="Connection">The connection's setting prefix, or null for the host's default (<c>AzureWebJobsStorage</c>).</param>
public sealed record QueueTriggerBinding(string Function, string QueueName, string? Connection)
{
    /// <summary>Every queueTrigger binding of every function in a functions.metadata document.</summary>
    /// <exception cref="InvalidOperationException">A queueTrigger binding has no queueName.</exception>
    public static IReadOnlyList<QueueTriggerBinding> Read(JsonElement metadata) =>
        [.. from function in metadata.EnumerateArray()
            from binding in function.GetProperty("bindings").EnumerateArray()
            where string.Equals(binding.GetProperty("type").GetString(), "queueTrigger", StringComparison.OrdinalIgnoreCase)
            select new QueueTriggerBinding(
                function.GetProperty("name").GetString()!,
                binding.TryGetProperty("queueName", out var queue) ? queue.GetString()! : throw new InvalidOperationException($"{function.GetProperty("name")} has a queueTrigger without queueName"),
                binding.TryGetProperty("connection", out var connection) ? connection.GetString() : null)];
}
