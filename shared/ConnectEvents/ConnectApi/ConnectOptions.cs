using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace ConnectEvents.ConnectApi;

/// <summary>How to reach and authenticate to the Connect Server API (configuration section <c>Connect</c>).</summary>
public sealed class ConnectOptions : IValidatableObject
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Connect";

    /// <summary>
    /// Whether the Connect platform is on (<c>Connect__Enabled</c>, default true). Off, its webhook, sessions and tokens
    /// routes answer 404, its queue function does not run, and none of its settings are required: a deployment may run
    /// only the v3 platform.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The API key id from the Configuration Center (<c>Connect__ApiKeyId</c>).</summary>
    public string? ApiKeyId { get; set; }

    /// <summary>The secret API key (<c>Connect__SecretApiKey</c>); never logged.</summary>
    public string? SecretApiKey { get; set; }

    /// <summary>The default merchant id (<c>Connect__MerchantId</c>); event processing uses each event's own merchant id.</summary>
    public string? MerchantId { get; set; }

    /// <summary>An explicit base URL (<c>Connect__Endpoint</c>), for the simulator or a datacenter-specific host; wins over <see cref="Environment"/>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The Connect environment when no explicit endpoint is given.</summary>
    public ConnectEnvironment? Environment { get; set; }

    /// <summary>The cluster within the environment (World by default).</summary>
    public ConnectCluster Cluster { get; set; } = ConnectCluster.World;

    /// <summary>Who integrates the API, sent in X-GCS-ServerMetaInfo (optional).</summary>
    public string? Integrator { get; set; }

    /// <summary>The shopping cart extension, sent in X-GCS-ServerMetaInfo (optional).</summary>
    public ShoppingCartExtensionOptions? ShoppingCartExtension { get; set; }

    /// <summary>Time allowed for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for a call including its retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt for calls that are safe to repeat.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Logs requests and responses at Debug level, obfuscated (off by default).</summary>
    public bool LogRequests { get; set; }

    /// <summary>Logged bodies are cut after this many characters.</summary>
    public int MaxLoggedBodyLength { get; set; } = 4096;

    /// <summary>The base URL calls go to, from <see cref="Endpoint"/> or the environment and cluster.</summary>
    public Uri ResolveEndpoint() => Endpoint ?? ConnectEndpoints.For(Environment ?? throw new InvalidOperationException("Connect__Endpoint or Connect__Environment must be set."), Cluster);

    /// <summary>Checks the settings at start-up; every message names the setting to fix.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ApiKeyId))
        {
            yield return new ValidationResult("Connect__ApiKeyId is missing: set it to the API key id from the Configuration Center.");
        }

        if (string.IsNullOrWhiteSpace(SecretApiKey))
        {
            yield return new ValidationResult("Connect__SecretApiKey is missing: set it to the secret API key (a Key Vault reference in Azure).");
        }

        if (Endpoint is null && Environment is null)
        {
            yield return new ValidationResult("Connect__Endpoint or Connect__Environment (Sandbox, PreProduction, Production) must be set.");
        }

        if (Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)))
        {
            yield return new ValidationResult($"Connect__Endpoint must be an absolute http(s) URL, not '{endpoint}'.");
        }
        else if (Endpoint is { Scheme: "http" } plain && !plain.IsLoopback)
        {
            yield return new ValidationResult($"Connect__Endpoint '{plain}' uses plain http to a non-loopback host; use https.");
        }

        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout)
        {
            yield return new ValidationResult(string.Create(CultureInfo.InvariantCulture, $"Connect__AttemptTimeout ({AttemptTimeout}) must be positive and not above Connect__TotalTimeout ({TotalTimeout})."));
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return new ValidationResult("Connect__MaxRetries must be between 0 and 10.");
        }
    }
}
