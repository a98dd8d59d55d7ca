using System.Text;
using System.Text.Json;
using ConnectEvents.Processing;

namespace ConnectEvents.UnitTests.Processing;

/// <summary>The host's trigger payload shapes (contracts/functions-custom-handler.md) and our response payload.</summary>
public sealed class TriggerInvocationTests
{
    [Fact]
    public void ServiceBusPayloadGivesTheExactBytesAndTheDeliveryCount()
    {
        const string payload = """
            {"Data":{"message":"eyJpZCI6ImV2dC0xIn0="},
             "Metadata":{"DeliveryCount":"3","MessageId":"\"evt-1\"","ContentType":"\"application/json\"",
              "Subject":"\"payment.pending_capture\"","SequenceNumber":"17",
              "EnqueuedTimeUtc":"2026-03-01T10:00:00","ApplicationProperties":{"eventType":"payment.pending_capture"},
              "MessageActions":{},"sys":{"MethodName":"ProcessConnectEvent","UtcNow":"2026-03-01T10:00:01.123Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}
            """;

        var message = TriggerInvocation.Parse(Encoding.UTF8.GetBytes(payload), TriggerSource.ServiceBus);

        Assert.Equal("""{"id":"evt-1"}""", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(3, message.DeliveryCount);
        Assert.Equal("evt-1", message.MessageId);
        Assert.Equal(TriggerSource.ServiceBus, message.Source);
    }

    [Fact]
    public void QueuePayloadReadsDequeueCountAndId()
    {
        const string payload = """
            {"Data":{"message":"eyJpZCI6ImV2dC0yIn0="},
             "Metadata":{"DequeueCount":"5","Id":"\"9a1c2f4e-0000-4000-8000-000000000001\"","PopReceipt":"\"AgAAAAMAAAAAAAAA\"",
              "InsertionTime":"2026-03-01T10:00:00+00:00","NextVisibleTime":"2026-03-01T10:10:00+00:00","ExpirationTime":"2026-03-08T10:00:00+00:00",
              "sys":{"MethodName":"ProcessConnectEventQueue"}}}
            """;

        var message = TriggerInvocation.Parse(Encoding.UTF8.GetBytes(payload), TriggerSource.StorageQueue);

        Assert.Equal("""{"id":"evt-2"}""", Encoding.UTF8.GetString(message.Body.Span));
        Assert.Equal(5, message.DeliveryCount);
        Assert.Equal("9a1c2f4e-0000-4000-8000-000000000001", message.MessageId);
    }

    [Fact]
    public void ThePumpBuildsWhatTheHostWouldSend()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"evt-3","type":"payment.paid"}""");

        var payload = TriggerInvocation.BuildQueuePayload(body, 2, "msg-1", DateTimeOffset.UnixEpoch);
        var message = TriggerInvocation.Parse(payload, TriggerSource.StorageQueue);

        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal(2, message.DeliveryCount);
        Assert.Equal("msg-1", message.MessageId);
        Assert.Contains("\"Id\":\"\\u0022msg-1\\u0022\"", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"Metadata":{}}""", "no Data object")]
    [InlineData("""{"Data":{"other":"eyJ9"}}""", "Data.message is missing or not a string")]
    [InlineData("""{"Data":{"message":{"id":"evt"}}}""", "dataType")]
    [InlineData("""{"Data":{"message":"%%%not-base64"}}""", "not base64")]
    public void PayloadsThatAreNotTheHostsShapeAreNamed(string payload, string expected)
    {
        var error = Assert.Throws<InvocationFormatException>(() => TriggerInvocation.Parse(Encoding.UTF8.GetBytes(payload), TriggerSource.StorageQueue));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheResponseIsTheHostsJsonObject()
    {
        using var doc = JsonDocument.Parse(TriggerInvocation.Response("event evt-1: captured"));

        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal("event evt-1: captured", doc.RootElement.GetProperty("Logs")[0].GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("ReturnValue").ValueKind);
    }
}
