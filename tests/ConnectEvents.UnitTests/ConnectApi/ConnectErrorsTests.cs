using System.Net;
using ConnectEvents.ConnectApi;
using ConnectEvents.Failures;
using Microsoft.Extensions.Options;

namespace ConnectEvents.UnitTests.ConnectApi;

/// <summary>The error model: status and body to a classified exception.</summary>
public sealed class ConnectErrorsTests
{
    private const string Body = """{"errorId":"657b10da-d2f9-4ecc-9e1b-7cdad5bb6f0c","errors":[{"code":"21000120","id":"REQUEST_PARAMETER","category":"CONNECT_PLATFORM_ERROR","httpStatusCode":400,"message":"must not be null","propertyName":"order.amountOfMoney","requestId":"12345"}]}""";

    [Theory]
    [InlineData(400, ConnectErrorKind.Validation, false)]
    [InlineData(402, ConnectErrorKind.Declined, false)]
    [InlineData(403, ConnectErrorKind.Authorization, false)]
    [InlineData(404, ConnectErrorKind.Reference, false)]
    [InlineData(409, ConnectErrorKind.Reference, false)]
    [InlineData(410, ConnectErrorKind.Reference, false)]
    [InlineData(500, ConnectErrorKind.Platform, true)]
    [InlineData(502, ConnectErrorKind.Platform, true)]
    [InlineData(503, ConnectErrorKind.Platform, true)]
    [InlineData(418, ConnectErrorKind.Unknown, false)]
    [InlineData(429, ConnectErrorKind.Unknown, true)]
    [InlineData(504, ConnectErrorKind.Unknown, true)]
    public void StatusesMapToKinds(int status, ConnectErrorKind kind, bool transient)
    {
        var error = ConnectApiException.FromResponse((HttpStatusCode)status, Body, null, null);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(transient, FailureClassifier.IsTransient(error));
        Assert.Equal(status, error.StatusCode);
        Assert.Equal("657b10da-d2f9-4ecc-9e1b-7cdad5bb6f0c", error.ErrorId);
        var e = Assert.Single(error.Errors);
        Assert.Equal(new ConnectError("21000120", "REQUEST_PARAMETER", "CONNECT_PLATFORM_ERROR", 400, "must not be null", "order.amountOfMoney", "12345"), e);
    }

    [Fact]
    public void A409WithAKeyAndOnlyError1409IsATransientIdempotenceConflict()
    {
        const string body = """{"errorId":"e1","errors":[{"code":"1409","id":"DUPLICATE_REQUEST_IN_PROGRESS","httpStatusCode":409}]}""";

        var withKey = ConnectApiException.FromResponse(HttpStatusCode.Conflict, body, "key-1", 1_700_000_000_000);
        var withoutKey = ConnectApiException.FromResponse(HttpStatusCode.Conflict, body, null, null);
        var twoErrors = ConnectApiException.FromResponse(HttpStatusCode.Conflict, """{"errors":[{"code":"1409"},{"code":"1"}]}""", "key-1", null);

        Assert.Equal(ConnectErrorKind.Idempotence, withKey.Kind);
        Assert.True(FailureClassifier.IsTransient(withKey));
        Assert.False(FailureClassifier.IsTransient(withoutKey));
        Assert.Equal("key-1", withKey.IdempotenceKey);
        Assert.Equal(1_700_000_000_000, withKey.IdempotenceRequestTimestamp);
        Assert.Equal(ConnectErrorKind.Reference, withoutKey.Kind);
        Assert.Equal(ConnectErrorKind.Reference, twoErrors.Kind);
    }

    [Fact]
    public void ADeclineIsAPermanentDeclinedErrorWithItsCodes()
    {
        const string body = """{"errorId":"e2","errors":[{"code":"430285","id":"REJECTED"}],"paymentResult":{"payment":{"id":"pay-9","status":"REJECTED"}}}""";

        var error = ConnectApiException.FromResponse(HttpStatusCode.PaymentRequired, body, null, null);

        Assert.Equal(ConnectErrorKind.Declined, error.Kind);
        Assert.Equal("430285", error.ErrorCodes);
        Assert.False(FailureClassifier.IsTransient(error));
    }

    [Fact]
    public void ANonJsonBodyStillGivesATypedErrorThatSaysSo()
    {
        const string html = "<html><body>502 Bad Gateway (proxy)</body></html>";

        var error = ConnectApiException.FromResponse(HttpStatusCode.BadGateway, html, null, null);

        Assert.Equal(ConnectErrorKind.Platform, error.Kind);
        Assert.Empty(error.Errors);
        Assert.Contains("not a Connect error response", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsValidationNamesEveryMissingSetting()
    {
        var result = new DataAnnotationValidateOptions<ConnectOptions>(null).Validate(null, new ConnectOptions());

        Assert.True(result.Failed);
        var message = result.FailureMessage;
        Assert.Contains("Connect__ApiKeyId", message, StringComparison.Ordinal);
        Assert.Contains("Connect__SecretApiKey", message, StringComparison.Ordinal);
        Assert.Contains("Connect__Endpoint or Connect__Environment", message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsValidationRejectsPlainHttpToARemoteHostAndBadTimeouts()
    {
        var result = new DataAnnotationValidateOptions<ConnectOptions>(null).Validate(null, new ConnectOptions
        {
            ApiKeyId = "k", SecretApiKey = "s", Endpoint = new Uri("http://connect.example.com/"), AttemptTimeout = TimeSpan.FromSeconds(40),
        });

        Assert.Contains("Connect__Endpoint 'http://connect.example.com/' uses plain http", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Connect__AttemptTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ConnectEnvironment.Sandbox, ConnectCluster.India, "https://eu.sandbox.api-ingenico.com/")]
    [InlineData(ConnectEnvironment.PreProduction, ConnectCluster.World, "https://api.preprod.connect.worldline-solutions.com/")]
    [InlineData(ConnectEnvironment.PreProduction, ConnectCluster.Europe, "https://eu.preprod.api-ingenico.com/")]
    [InlineData(ConnectEnvironment.PreProduction, ConnectCluster.India, "https://mum-preprod.api-ingenico.com/")]
    [InlineData(ConnectEnvironment.Production, ConnectCluster.World, "https://api.connect.worldline-solutions.com/")]
    [InlineData(ConnectEnvironment.Production, ConnectCluster.Europe, "https://eu.api-ingenico.com/")]
    [InlineData(ConnectEnvironment.Production, ConnectCluster.India, "https://mum.api-ingenico.com/")]
    public void EnvironmentAndClusterMapToTheDocumentedHosts(ConnectEnvironment environment, ConnectCluster cluster, string expected)
    {
        Assert.Equal(expected, new ConnectOptions { Environment = environment, Cluster = cluster }.ResolveEndpoint().AbsoluteUri);
    }

    [Fact]
    public void LogObfuscationMasksCardDataAndSecrets()
    {
        const string body = """{"cardNumber":"4567350000427977","cvv":"123","expiryDate":"1230","nested":{"iban":"NL91ABNA0417164300"},"tokens":["t1"],"alias":"card 4567350000427977","amount":100}""";

        var logged = LogObfuscator.Body(body, 10_000);

        Assert.DoesNotContain("4567350000427977", logged, StringComparison.Ordinal);
        Assert.Contains("\"cardNumber\":\"************7977\"", logged, StringComparison.Ordinal);
        Assert.Contains("\"cvv\":\"****\"", logged, StringComparison.Ordinal);
        Assert.Contains("\"expiryDate\":\"****\"", logged, StringComparison.Ordinal);
        Assert.Contains("\"iban\":\"**************4300\"", logged, StringComparison.Ordinal);
        Assert.Contains("\"tokens\":[\"t1\"]", logged, StringComparison.Ordinal);
        Assert.Contains("\"amount\":100", logged, StringComparison.Ordinal);
        Assert.Equal("********", LogObfuscator.Header("authorization", "GCS v1HMAC:k:sig"));
        Assert.Contains("4 more characters cut", LogObfuscator.Body("not json 4567350000427977 tail", 26), StringComparison.Ordinal);
        Assert.DoesNotContain("4567350000427977", LogObfuscator.Body("not json 4567350000427977", 100), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownResponseFieldsAreKeptAndWrittenBack()
    {
        const string json = """{"id":"p1","status":"PAID","hostedCheckoutSpecificOutput":{"variant":"x"},"paymentOutput":{"amountOfMoney":{"amount":5,"currencyCode":"EUR"},"acquirerInformation":{"name":"ACQ"}}}""";

        var payment = System.Text.Json.JsonSerializer.Deserialize(json, ConnectJsonContext.Default.PaymentResponse)!;
        var written = System.Text.Json.JsonSerializer.Serialize(payment, ConnectJsonContext.Default.PaymentResponse);

        Assert.True(payment.AdditionalFields!.ContainsKey("hostedCheckoutSpecificOutput"));
        Assert.True(payment.PaymentOutput!.AdditionalFields!.ContainsKey("acquirerInformation"));
        Assert.Contains("\"acquirerInformation\":{\"name\":\"ACQ\"}", written, StringComparison.Ordinal);
    }
}
