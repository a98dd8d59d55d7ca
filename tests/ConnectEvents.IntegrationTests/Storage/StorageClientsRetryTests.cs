using Azure;
using Azure.Data.Tables;
using ConnectEvents.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.IntegrationTests.Storage;

/// <summary>
/// Every client <see cref="StorageClients"/> makes carries the short retry budget by default: against a storage
/// endpoint on 127.0.0.1 that always answers 503, one call is tried once and retried twice, no more.
/// </summary>
public sealed class StorageClientsRetryTests : IAsyncLifetime
{
    private const int ShortBudgetAttempts = 3; // the call plus WithShortRetries' two retries
    private WebApplication _server = null!;
    private int _requests;
    private StorageClients _storage = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.Run(context =>
        {
            Interlocked.Increment(ref _requests);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await _server.StartAsync();
        var endpoint = _server.Urls.Single() + "/devstoreaccount1";
        _storage = StorageClients.FromConnectionString(
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Convert.ToBase64String(new byte[64]) +
            $";BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};");
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task TablesGetTheShortRetryBudgetByDefault()
    {
        await Assert.ThrowsAsync<RequestFailedException>(() => _storage.Table("events").GetEntityAsync<TableEntity>("p", "r"));
        Assert.Equal(ShortBudgetAttempts, Volatile.Read(ref _requests));
    }

    [Fact]
    public async Task QueuesGetTheShortRetryBudgetByDefault()
    {
        await Assert.ThrowsAsync<RequestFailedException>(() => _storage.Queue("events").GetPropertiesAsync());
        Assert.Equal(ShortBudgetAttempts, Volatile.Read(ref _requests));
    }

    [Fact]
    public async Task BlobContainersGetTheShortRetryBudgetByDefault()
    {
        await Assert.ThrowsAsync<RequestFailedException>(() => _storage.BlobContainer("quarantine").GetPropertiesAsync());
        Assert.Equal(ShortBudgetAttempts, Volatile.Read(ref _requests));
    }
}
