using ConnectEvents.ConnectApi;
using ConnectEvents.Webhooks;
using Microsoft.Extensions.Primitives;

namespace ConnectEvents.UnitTests;

public sealed class SensitiveHeadersTests
{
    [Theory]
    [InlineData("Authorization")]
    [InlineData("proxy-authorization")]
    [InlineData("X-GCS-Authentication-Token")]
    [InlineData("X-GCS-CallerPassword")]
    [InlineData("Cookie")]
    [InlineData("Set-Cookie")]
    [InlineData("X-GCS-Signature")]
    [InlineData("x-functions-key")]
    [InlineData("X-Client-Secret")]
    public void CredentialHeadersAreMaskedInLogsAndLeftOutOfQuarantine(string name)
    {
        Assert.True(SensitiveHeaders.IsSecret(name));
        Assert.Equal("********", LogObfuscator.Header(name, "value"));
        Assert.Empty(WebhookIngress.SafeHeaders(new Dictionary<string, StringValues> { [name] = "value" }));
    }

    [Theory]
    [InlineData("Content-Type")]
    [InlineData("X-GCS-KeyId")]
    [InlineData("Date")]
    [InlineData("X-GCS-ServerMetaInfo")]
    public void OrdinaryHeadersAreKept(string name)
    {
        Assert.False(SensitiveHeaders.IsSecret(name));
        Assert.Equal("value", LogObfuscator.Header(name, "value"));
        Assert.Equal("value", WebhookIngress.SafeHeaders(new Dictionary<string, StringValues> { [name] = "value" })[name]);
    }
}
