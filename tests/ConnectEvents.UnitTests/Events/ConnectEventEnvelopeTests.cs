using System.Text;
using ConnectEvents.Events;

namespace ConnectEvents.UnitTests.Events;

public sealed class ConnectEventEnvelopeTests
{
    private static EnvelopeParseResult Parse(string json) => ConnectEventEnvelope.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void SampleEventYieldsEveryRoutingFact()
    {
        var body = SampleEvents.Build("payment.pending_capture", "1234", "pay-1", "evt-9");
        var result = ConnectEventEnvelope.Parse(body);

        Assert.True(result.IsSuccess, result.Error);
        var e = result.Envelope!;
        Assert.Equal(("v1", "evt-9", "1234", "payment.pending_capture", "payment", "pay-1"),
            (e.ApiVersion, e.Id, e.MerchantId, e.Type, e.ResourceType, e.ResourceId));
        Assert.Equal("payment", e.Family);
        Assert.InRange(body.Length, 700, 1400);
    }

    [Theory]
    [InlineData("\"2017-02-14T09:54:08.123+01:00\"", "2017-02-14T08:54:08.123Z")]
    [InlineData("\"2024-01-02T03:04:05Z\"", "2024-01-02T03:04:05Z")]
    [InlineData("\"yesterday\"", null)]
    [InlineData("12345", null)]
    [InlineData("{\"at\":1}", null)]
    public void CreatedIsReadWhenItIsADateTimeAndNeverRejectsTheEvent(string created, string? expected)
    {
        var result = Parse($$"""{"apiVersion":"v1","id":"e","created":{{created}},"merchantId":"m","type":"payment.paid"}""");

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.Envelope!.Created);
    }

    [Fact]
    public void UnknownFieldsAndNestedIdsDoNotConfuseTheResourceId()
    {
        var result = Parse("""
            {"future":{"id":"x","deep":[{"id":"y"}]},"apiVersion":"v1","id":"e","merchantId":"m","type":"token.deleted",
             "token":{"card":{"id":"nested"},"id":"tok-1"},"extra":[1,2,{"a":null}]}
            """);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(("token", "tok-1"), (result.Envelope!.ResourceType, result.Envelope.ResourceId));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"apiVersion\":\"v1\",\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"t\"", "not valid JSON")]
    [InlineData("{\"apiVersion\":\"v1\",\"merchantId\":\"m\",\"type\":\"t\"}", "no id")]
    [InlineData("{\"apiVersion\":\"v1\",\"id\":\"e\",\"merchantId\":\"m\"}", "no type")]
    [InlineData("{\"apiVersion\":\"v1\",\"id\":\"e\",\"type\":\"t\"}", "no merchantId")]
    [InlineData("{\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"t\"}", "no apiVersion")]
    [InlineData("{\"apiVersion\":\"v2\",\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"t\"}", "unsupported apiVersion 'v2'")]
    [InlineData("{\"apiVersion\":\"v1\",\"id\":42,\"merchantId\":\"m\",\"type\":\"t\"}", "wrong JSON type")]
    [InlineData("{\"apiVersion\":\"v1\",\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"t\"} {}", "not valid JSON")]
    public void UnusableBodiesAreNamed(string json, string expected)
    {
        var result = Parse(json);
        Assert.False(result.IsSuccess);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownEventTypesAreUsable()
    {
        var result = Parse("{\"apiVersion\":\"v1\",\"id\":\"e\",\"merchantId\":\"m\",\"type\":\"mandate.created\",\"mandate\":{\"id\":\"x\"}}");
        Assert.True(result.IsSuccess);
        Assert.Null(result.Envelope!.ResourceType);
    }
}
