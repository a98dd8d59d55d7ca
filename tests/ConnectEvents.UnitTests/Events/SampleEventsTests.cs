using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConnectEvents.Events;

namespace ConnectEvents.UnitTests.Events;

/// <summary>The sample events have the shapes of the official SDK's domain model, so what works on them works on Connect's.</summary>
public sealed partial class SampleEventsTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 10, 15, 0, 40, TimeSpan.FromHours(1));

    private static JsonObject Event(string type, string id = "res-1", string? customer = null) =>
        JsonNode.Parse(SampleEvents.Build(type, "1234", id, "evt-1", At, customer))!.AsObject();

    private static string Text(JsonNode? node) => node!.GetValue<string>();

    [Theory]
    [InlineData(1, 0, "2026-11-23T10:15:00.040+0100")]
    [InlineData(-5, -30, "2026-11-23T10:15:00.040-0530")]
    [InlineData(0, 0, "2026-11-23T10:15:00.040+0000")]
    public void CreatedHasConnectsFormat(int hours, int minutes, string expected) =>
        Assert.Equal(expected, SampleEvents.FormatCreated(new DateTimeOffset(2026, 11, 23, 10, 15, 0, 40, new TimeSpan(hours, minutes, 0))));

    [Theory]
    [InlineData("payment.paid")]
    [InlineData("refund.refunded")]
    [InlineData("payout.account_credited")]
    [InlineData("dispute.created")]
    [InlineData("token.created")]
    public void EveryFamilyCarriesItsObjectAndTheAppReadsTheEnvelopeWithItsTime(string type)
    {
        var body = SampleEvents.Build(type, "1234", "res-1", "evt-1", At);
        var json = JsonNode.Parse(body)!.AsObject();

        Assert.Equal("v1", Text(json["apiVersion"]));
        Assert.Matches(CreatedPattern(), Text(json["created"]));
        var family = type.Split('.')[0];
        Assert.Equal("res-1", Text(json[family]!["id"]));
        var envelope = ConnectEventEnvelope.Parse(body).Envelope!;
        Assert.Equal(("evt-1", "1234", family, "res-1"), (envelope.Id, envelope.MerchantId, envelope.ResourceType, envelope.ResourceId));
        Assert.Equal(At, envelope.Created);
    }

    [Fact]
    public void APaymentHasAmountReferencesCardOutputAndStatusOutput()
    {
        var payment = Event("payment.pending_capture", "pay-1", customer: "customer-1")["payment"]!;

        var output = payment["paymentOutput"]!;
        Assert.Equal(2980, output["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.Equal("EUR", Text(output["amountOfMoney"]!["currencyCode"]));
        Assert.Equal("customer-1", Text(output["references"]!["merchantReference"]));
        Assert.Matches("^[0-9]+$", Text(output["references"]!["paymentReference"]));
        Assert.Equal("card", Text(output["paymentMethod"]));
        Assert.Equal("************1111", Text(output["cardPaymentMethodSpecificOutput"]!["card"]!["cardNumber"]));
        Assert.Equal("PENDING_CAPTURE", Text(payment["status"]));
        var status = payment["statusOutput"]!;
        Assert.Equal("PENDING_MERCHANT", Text(status["statusCategory"]));
        Assert.True(status["isCancellable"]!.GetValue<bool>());
        Assert.True(status["isAuthorized"]!.GetValue<bool>());
        Assert.False(status["isRefundable"]!.GetValue<bool>());
        Assert.Equal(600, status["statusCode"]!.GetValue<int>());
        Assert.Equal("20261123101500", Text(status["statusCodeChangeDateTime"]));
    }

    [Fact]
    public void ARefundHasItsOutputAsConnectFillsIt()
    {
        var refund = Event("refund.refund_requested", "ref-1")["refund"]!;

        var output = refund["refundOutput"]!;
        Assert.Equal(2980, output["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.Equal("EUR", Text(output["amountOfMoney"]!["currencyCode"]));
        Assert.False(string.IsNullOrEmpty(Text(output["references"]!["merchantReference"])));
        Assert.Equal("card", Text(output["paymentMethod"]));
        Assert.Equal(2980, output["cardRefundMethodSpecificOutput"]!["totalAmountRefunded"]!.GetValue<long>());
        Assert.Equal("REFUND_REQUESTED", Text(refund["status"]));
        Assert.Equal("PENDING_CONNECT_OR_3RD_PARTY", Text(refund["statusOutput"]!["statusCategory"]));
        Assert.Null(refund["statusOutput"]!["isAuthorized"]);
    }

    [Fact]
    public void APayoutHasItsOutputAsConnectFillsIt()
    {
        var payout = Event("payout.account_credited", "po-1")["payout"]!;

        var output = payout["payoutOutput"]!;
        Assert.Equal(2980, output["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.Equal("payout-po-1", Text(output["references"]!["merchantReference"]));
        Assert.Equal("ACCOUNT_CREDITED", Text(payout["status"]));
        Assert.Equal("COMPLETED", Text(payout["statusOutput"]!["statusCategory"]));
        Assert.False(payout["statusOutput"]!["isCancellable"]!.GetValue<bool>());
    }

    [Fact]
    public void ADisputeNamesItsPaymentAndHasItsOutput()
    {
        var dispute = Event("dispute.created", "dsp-1")["dispute"]!;

        Assert.False(string.IsNullOrEmpty(Text(dispute["paymentId"])));
        var output = dispute["disputeOutput"]!;
        Assert.Equal(2980, output["amountOfMoney"]!["amount"]!.GetValue<long>());
        Assert.Equal("20261123101500", Text(output["creationDetails"]!["disputeCreationDate"]));
        Assert.False(string.IsNullOrEmpty(Text(output["reference"]!["paymentReference"])));
        Assert.Equal("CREATED", Text(dispute["status"]));
        Assert.Equal("CREATED", Text(dispute["statusOutput"]!["statusCategory"]));
    }

    [Fact]
    public void ATokenHasItsCardAndADeletedTokenOnlyItsId()
    {
        var token = Event("token.created", "tok-1")["token"]!.AsObject();
        var deleted = Event("token.deleted", "tok-1")["token"]!.AsObject();

        Assert.Equal(1, token["paymentProductId"]!.GetValue<int>());
        Assert.Equal("************1111", Text(token["card"]!["data"]!["cardWithoutCvv"]!["cardNumber"]));
        Assert.Equal("1230", Text(token["card"]!["data"]!["cardWithoutCvv"]!["expiryDate"]));
        Assert.Equal(["id"], deleted.Select(p => p.Key));
    }

    [Theory]
    [InlineData("PENDING_CAPTURE", "PENDING_MERCHANT")]
    [InlineData("CAPTURE_REQUESTED", "PENDING_CONNECT_OR_3RD_PARTY")]
    [InlineData("PAID", "COMPLETED")]
    [InlineData("CHARGEBACKED", "REVERSED")]
    [InlineData("REFUNDED", "REFUNDED")]
    [InlineData("REJECTED_CAPTURE", "UNSUCCESSFUL")]
    [InlineData("REDIRECTED", "PENDING_PAYMENT")]
    [InlineData("ACCOUNT_VERIFIED", "ACCOUNT_VERIFIED")]
    public void StatusCategoriesFollowTheSdksGrouping(string status, string category) =>
        Assert.Equal(category, SampleEvents.StatusCategory(status));

    [Fact]
    public void APaymentSampleIsAboutOneKilobyte() =>
        Assert.InRange(SampleEvents.Build("payment.paid", "1234", "000000123410000595980000100001").Length, 700, 1400);

    [Theory]
    [InlineData("2017-02-02T11:24:14.040+0100", "2017-02-02T10:24:14.040Z")]
    [InlineData("2017-02-02T11:24:14-0230", "2017-02-02T13:54:14Z")]
    [InlineData("2017-02-02T11:24:14.040+01000", null)]
    [InlineData("2017-02-02T11:24:14.040+01x0", null)]
    public void TheEnvelopeReadsConnectsCreatedFormat(string created, string? expected)
    {
        var result = ConnectEventEnvelope.Parse(System.Text.Encoding.UTF8.GetBytes($$"""{"apiVersion":"v1","id":"e","created":"{{created}}","merchantId":"m","type":"payment.paid"}"""));

        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), result.Envelope!.Created);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")]
    private static partial Regex CreatedPattern();
}
