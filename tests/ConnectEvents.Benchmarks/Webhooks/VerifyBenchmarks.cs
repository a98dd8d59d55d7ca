using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using ConnectEvents.Events;
using ConnectEvents.TestInfrastructure;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.Benchmarks.Webhooks;

/// <summary>Verify + parse of one ~1 KB event next to the bare floor (HMAC-SHA256 + base64 decode + FixedTimeEquals).</summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private const string Secret = "bench-secret-0123456789";
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(Secret);
    private byte[] _body = [];
    private string _signature = "";
    private WebhookVerifier _verifier = null!;

    /// <summary>Builds the sample event and the verifier.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _body = SampleEvents.Build("payment.pending_capture", "1234", "000000123410000595980000100001", "8ee793f6-4553-4749-85dc-f2ef095c5ab0");
        _signature = WebhookVerifier.Sign(_body, _secret);
        var options = new WebhookOptions();
        options.SecretKeys.Add(new WebhookSecretKey { KeyId = "bench", Secret = Secret });
        _verifier = new WebhookVerifier(new ConfigurationSecretKeyStore(new TestOptionsMonitor<WebhookOptions>(options)));
        Console.WriteLine($"// sample event: {_body.Length} bytes");
    }

    /// <summary>The floor: what any verifier must do.</summary>
    [Benchmark(Baseline = true)]
    public bool Floor()
    {
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_secret, _body, expected);
        Span<byte> given = stackalloc byte[33];
        Convert.TryFromBase64String(_signature, given, out var written);
        return CryptographicOperations.FixedTimeEquals(expected, given[..written]);
    }

    /// <summary>Our verifier (header checks, key lookup, HMAC, constant-time compare) and envelope parse.</summary>
    [Benchmark]
    public async ValueTask<string?> VerifyAndParse()
    {
        var result = await _verifier.VerifyAsync(_body, new StringValues(_signature), new StringValues("bench"), CancellationToken.None);
        return result.IsValid ? ConnectEventEnvelope.Parse(_body).Envelope?.Id : null;
    }

    /// <summary>The envelope parse alone.</summary>
    [Benchmark]
    public string? ParseOnly() => ConnectEventEnvelope.Parse(_body).Envelope?.Id;
}
