using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using ConnectEvents.ConnectApi;
using ConnectEvents.TestInfrastructure;

namespace ConnectEvents.Benchmarks.ConnectApi;

/// <summary>
/// v1HMAC signing cost per Connect request: the whole <see cref="SigningHandler"/> (the one signing path) on a GET payment
/// and on a POST capture with X-GCS headers (no-op inner handler), next to the HMAC floor.
/// </summary>
[MemoryDiagnoser]
public class SigningBenchmarks : IDisposable
{
    private const string Merchant = "1234";
    private const string PaymentId = "000000123410000595980000100001";
    private const string GetPath = "/v1/" + Merchant + "/payments/" + PaymentId;
    private const string CapturePath = GetPath + "/capture";

    private readonly byte[] _secret = Encoding.UTF8.GetBytes("bench-secret-api-key-0123456789abcdef");
    private readonly string _date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
    private byte[] _getStringUtf8 = [];
    private HttpMessageInvoker _invoker = null!;
    private HttpRequestMessage _getRequest = null!;
    private HttpRequestMessage _captureRequest = null!;

    /// <summary>Builds the headers the client sends and a signing handler over a no-op inner handler.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var options = new ConnectOptions
        {
            ApiKeyId = "bench-key-id",
            SecretApiKey = Encoding.UTF8.GetString(_secret),
            Endpoint = new Uri("http://127.0.0.1:1/"),
            Integrator = "Connect Events",
        };
        var metaInfo = ServerMetaInfo.Build(options);
        var idempotenceKey = CallContext.DeriveKey("capture", Merchant, PaymentId);
        _getStringUtf8 = Encoding.UTF8.GetBytes($"GET\n\n{_date}\nx-gcs-servermetainfo:{metaInfo}\n{GetPath}\n");

        _invoker = new HttpMessageInvoker(new SigningHandler(new TestOptionsMonitor<ConnectOptions>(options), TimeProvider.System) { InnerHandler = new NoOpHandler() });
        // The handler replaces Date, Authorization and X-GCS-ServerMetaInfo on every attempt, so one request can be signed again and again.
        _getRequest = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:1" + GetPath);
        _captureRequest = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:1" + CapturePath) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        _captureRequest.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        _captureRequest.Headers.TryAddWithoutValidation(ConnectClient.IdempotenceKeyHeader, idempotenceKey);
        Console.WriteLine($"// X-GCS-ServerMetaInfo: {metaInfo.Length} chars; GET string to sign: {_getStringUtf8.Length} bytes");
    }

    /// <summary>Releases the invoker and requests.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the invoker and requests.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _invoker?.Dispose();
            _getRequest?.Dispose();
            _captureRequest?.Dispose();
        }
    }

    /// <summary>The floor: HMAC-SHA256 of the GET's string to sign and its base64, nothing else.</summary>
    [Benchmark(Baseline = true)]
    public string HmacFloor()
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, _getStringUtf8, mac);
        return Convert.ToBase64String(mac);
    }

    /// <summary>The whole SigningHandler on a GET payment request: Date, X-GCS-ServerMetaInfo, canonical string, HMAC, Authorization.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> HandlerGetPayment() => _invoker.SendAsync(_getRequest, CancellationToken.None);

    /// <summary>The whole SigningHandler on a POST capture request with a body and an idempotence key.</summary>
    [Benchmark]
    public Task<HttpResponseMessage> HandlerPostCapture() => _invoker.SendAsync(_captureRequest, CancellationToken.None);

    private sealed class NoOpHandler : HttpMessageHandler
    {
        private readonly Task<HttpResponseMessage> _response = Task.FromResult(new HttpResponseMessage());

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => _response;
    }
}
