using System.Text.Json;
using ConnectEvents.DevHost;
using ConnectEvents.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Routing;

namespace ConnectEvents.IntegrationTests.Hosting;

/// <summary>
/// The functions.metadata the Worker SDK generates is what the Functions host runs in Azure; the dev host must serve
/// exactly those functions, routes, methods, keys and queue settings. Both are read here and compared.
/// </summary>
public sealed class FunctionsMetadataContractTests
{
    /// <summary>What each function must be, as the host reads it.</summary>
    public static TheoryData<string, string, string?, string?, string?, string?> Expected => new()
    {
        // name, trigger, route, methods, authLevel, queueName
        { "ConnectWebhook", "httpTrigger", "webhooks/connect", "GET,POST", "Anonymous", null },
        { "CreateClientSession", "httpTrigger", "sessions", "POST", "Function", null },
        { "CustomerTokens", "httpTrigger", "customers/{customerReference}/tokens/{tokenId?}", "DELETE,GET", "Admin", null },
        { "ProcessConnectEvent", "queueTrigger", null, null, null, "%Events__QueueName%" },
        { "Platform3Notification", "httpTrigger", "notifications/v3", "POST", "Anonymous", null },
        { "ProcessPlatform3Notification", "queueTrigger", null, null, null, "%Platform3__QueueName%" },
        { "ApplyRetention", "timerTrigger", null, null, null, null },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void TheGeneratedMetadataDeclaresEachFunctionAsExpected(string name, string trigger, string? route, string? methods, string? authLevel, string? queueName)
    {
        var function = Assert.Single(ReadMetadata(), f => f.Name == name);
        Assert.Equal(trigger, function.Trigger);
        Assert.Equal(route, function.Route);
        Assert.Equal(methods, function.Methods);
        Assert.Equal(authLevel, function.AuthLevel);
        Assert.Equal(queueName, function.QueueName);
        if (trigger == "queueTrigger")
        {
            Assert.Equal("AzureWebJobsStorage", function.Connection);
        }
    }

    [Fact]
    public void TheMetadataHasNoFunctionBeyondTheExpectedOnes() =>
        Assert.Equal(Expected.Select(row => (string)row[0]).Order(StringComparer.Ordinal), ReadMetadata().Select(f => f.Name).Order(StringComparer.Ordinal));

    [Fact]
    public async Task TheDevHostMapsExactlyTheMetadatasHttpFunctionsAndQueueTriggers()
    {
        await using var app = ConnectEvents.DevHost.Program.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration["AzureWebJobsStorage"] = "UseDevelopmentStorage=true");
        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Function: e.Metadata.GetMetadata<HttpFunction>(), Pattern: e.RoutePattern.RawText!, Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()))
            .Where(e => e.Function is not null)
            .Select(e => (e.Function!.Name, Route: e.Pattern, Methods: string.Join(',', e.Methods!.HttpMethods.Order(StringComparer.Ordinal)), AuthLevel: e.Function.AuthLevel.ToString()))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();

        var declared = ReadMetadata().Where(f => f.Trigger == "httpTrigger")
            .Select(f => (f.Name, Route: "/api/" + f.Route, Methods: f.Methods!, AuthLevel: f.AuthLevel!))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(declared, mapped);

        var queues = ReadMetadata().Where(f => f.Trigger == "queueTrigger").Select(f => new QueueFunction(f.Name, f.QueueName!, f.Connection));
        Assert.Equal(queues, QueueFunctionCheck.InDevHost());
    }

    private sealed record DeclaredFunction(string Name, string Trigger, string? Route, string? Methods, string? AuthLevel, string? QueueName, string? Connection);

    private static List<DeclaredFunction> ReadMetadata()
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.BuiltFile("functions", "functions.metadata")));
        var functions = new List<DeclaredFunction>();
        foreach (var function in document.RootElement.EnumerateArray())
        {
            var trigger = function.GetProperty("bindings").EnumerateArray()
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            functions.Add(new DeclaredFunction(
                function.GetProperty("name").GetString()!,
                trigger.GetProperty("type").GetString()!,
                Text(trigger, "route"),
                trigger.TryGetProperty("methods", out var methods)
                    ? string.Join(',', methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order(StringComparer.Ordinal))
                    : null,
                Text(trigger, "authLevel"),
                Text(trigger, "queueName"),
                Text(trigger, "connection")));
        }

        return functions;
    }

    private static string? Text(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value.GetString() : null;
}
