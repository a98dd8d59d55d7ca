using Azure;
using ConnectEvents.ConnectApi;
using ConnectEvents.Idempotence;
using ConnectEvents.Platform3;
using ConnectEvents.Storage;

namespace ConnectEvents.Failures;

/// <summary>
/// The one place that decides transient versus permanent for every exception the product meets: Connect's and the v3
/// Inquiry API's answers, Table/Queue/Blob storage, the network, timeouts and cancellation. Processing, sessions,
/// messaging, storage and the HTTP clients' own in-call retries (<see cref="InCallRetry"/>) ask it rather than deciding again.
/// </summary>
public static class FailureClassifier
{
    /// <summary>The Azure Tables error code of a table that is still being deleted (Azure refuses to re-create it for a while).</summary>
    private const string TableBeingDeleted = "TableBeingDeleted";

    /// <summary>
    /// Classifies <paramref name="failure"/>. An <see cref="OperationCanceledException"/> is <see cref="FailureClass.Cancelled"/>
    /// only when <paramref name="callerToken"/> asked for it; otherwise it is an SDK or HTTP timeout, so transient.
    /// </summary>
    public static FailureClass Classify(Exception failure, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure switch
        {
            ConnectApiException c => IsTransient(c) ? FailureClass.Transient : FailureClass.Permanent,
            InquiryException i => IsTransient(i) ? FailureClass.Transient : FailureClass.Permanent,
            StoreUnavailableException => FailureClass.Transient,
            LeaseLostException => FailureClass.LeaseLost,
            // A queue or topic that did not take a message: the next delivery tries again (a configuration error until it is fixed, then dead-lettered).
            Messaging.EventPublishException => FailureClass.Transient,
            RequestFailedException r => IsTransientStatus(r.Status) || r.ErrorCode == TableBeingDeleted ? FailureClass.Transient : FailureClass.Permanent,
            OperationCanceledException => callerToken.IsCancellationRequested ? FailureClass.Cancelled : FailureClass.Transient,
            HttpRequestException or IOException or TimeoutException => FailureClass.Transient,
            AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(i => Classify(i, callerToken) == FailureClass.Transient)
                ? FailureClass.Transient
                : FailureClass.Unknown,
            _ => FailureClass.Unknown,
        };
    }

    /// <summary>True when <see cref="Classify"/> says <see cref="FailureClass.Transient"/>.</summary>
    public static bool IsTransient(Exception failure, CancellationToken callerToken = default) =>
        Classify(failure, callerToken) == FailureClass.Transient;

    /// <summary>
    /// Connect's answer is worth another try: platform trouble (500/502/503), no usable response, an idempotent request
    /// still running (409 code 1409), or any other status that says "later" (408, 429, 5xx such as a gateway's 504).
    /// </summary>
    public static bool IsTransient(ConnectApiException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.Kind is ConnectErrorKind.Platform or ConnectErrorKind.Communication or ConnectErrorKind.Idempotence
            || failure.StatusCode is { } status && IsTransientStatus(status);
    }

    /// <summary>
    /// The Inquiry API's answer is worth another try: none came (status 0), a 200 we could not read (the payment exists,
    /// its answer was cut or garbled), or a status that says "later" by the same rule as Connect's.
    /// </summary>
    public static bool IsTransient(InquiryException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.StatusCode == 200 || IsTransientStatus(failure.StatusCode);
    }

    /// <summary>An HTTP status that says "try later": none at all (0, no response), 408, 429, or a server error.</summary>
    public static bool IsTransientStatus(int status) => status is 0 or 408 or 429 or >= 500;

    /// <summary>A short, secret-free name of where a failure came from, for logs: <c>Connect Platform</c> for Connect, else <c>storage</c>.</summary>
    public static string Source(Exception failure) => failure switch
    {
        ConnectApiException c => $"Connect {c.Kind}",
        InquiryException => "the v3 Inquiry API",
        Messaging.EventPublishException => "the topic",
        _ => "storage",
    };

    /// <summary>The reason a permanent failure is recorded under: <c>connect-validation</c>, <c>storage-403</c>, or the exception type.</summary>
    public static string PermanentReason(Exception failure) => failure switch
    {
        ConnectApiException c => "connect-" + c.Kind.ToString().ToLowerInvariant(),
        RequestFailedException r => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"storage-{r.Status}"),
        InquiryException i => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"inquiry-{i.StatusCode} {i.Reason}"),
        _ => failure.GetType().Name,
    };
}
