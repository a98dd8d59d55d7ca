using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ConnectEvents.ConnectApi;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConnectEvents.Benchmarks.ConnectApi;

/// <summary>
/// The client's own cost per GET payment without a network: the full <see cref="IConnectClient"/> (factory handlers,
/// resilience pipeline, signing, logging handler off, typed model) over an in-memory primary handler that answers a
/// realistic payment body, next to a bare <see cref="HttpClient"/> over the same handler signed by hand, with and without
/// the model parse. The difference is what the loopback load run's client/bare ratio pays for.
/// </summary>
[MemoryDiagnoser]
public class ClientPipelineBenchmarks : IDisposable
{
    private const string Merchant = "1234";
    private const string PaymentId = "000000123410000595980000100001";
    private static readonly Uri Base = new("http://127.0.0.1:1/");

    private readonly byte[] _secret = Encoding.UTF8.GetBytes("bench-secret-api-key-0123456789abcdef");
    private ServiceProvider _services = null!;
    private IConnectClient _client = null!;
    private HttpClient _bare = null!;
    private Uri _url = null!;

    /// <summary>Builds the client over the canned handler and a bare HttpClient over another instance of it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Connect:Endpoint"] = Base.ToString(),
            ["Connect:ApiKeyId"] = "bench-key-id",
            ["Connect:SecretApiKey"] = Encoding.UTF8.GetString(_secret),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddConnectClient(configuration);
        // The last primary handler configured wins: swap the socket handler for the canned answer.
        services.AddHttpClient(ConnectClientServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new CannedPaymentHandler());
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<IConnectClient>();
        _bare = new HttpClient(new CannedPaymentHandler());
        _url = new Uri(Base, $"v1/{Merchant}/payments/{PaymentId}");
    }

    /// <summary>Releases the clients.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _bare?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A bare GET signed by hand, body read as bytes: the load run's baseline.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> BareSigned()
    {
        using var request = ConnectLoadRun.SignedGet(_url, "bench-key-id", _secret);
        using var response = await _bare.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    /// <summary>The same with the body parsed into the client's model.</summary>
    [Benchmark]
    public async Task<string?> BareSignedWithModel()
    {
        using var request = ConnectLoadRun.SignedGet(_url, "bench-key-id", _secret);
        using var response = await _bare.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(), ConnectJsonContext.Default.PaymentResponse)?.Status;
    }

    /// <summary>The full client: GET payment through every handler.</summary>
    [Benchmark]
    public async Task<string?> Client() => (await _client.GetPaymentAsync(Merchant, PaymentId)).Status;

    /// <summary>Answers every request with the same 200 payment body, as the simulator would.</summary>
    private sealed class CannedPaymentHandler : HttpMessageHandler
    {
        private static readonly byte[] Body = Encoding.UTF8.GetBytes(
            """{"id":"000000123410000595980000100001","status":"PENDING_CAPTURE","statusOutput":{"isAuthorized":true,"isCancellable":true,"isRefundable":false,"statusCategory":"PENDING_MERCHANT","statusCode":600},"paymentOutput":{"amountOfMoney":{"amount":2980,"currencyCode":"EUR"},"references":{"merchantReference":"order-1","paymentReference":"0"},"paymentMethod":"card","cardPaymentMethodSpecificOutput":{"paymentProductId":1,"authorisationCode":"726747","card":{"cardNumber":"************4675","expiryDate":"1230"},"fraudResults":{"fraudServiceResult":"no-advice","avsResult":"0","cvvResult":"0"}}}}""");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Body);
            content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
