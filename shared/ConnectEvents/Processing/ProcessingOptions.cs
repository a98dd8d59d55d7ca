namespace ConnectEvents.Processing;

/// <summary>What the processor does with each event type (configuration section <c>Processing</c>).</summary>
public sealed class ProcessingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Processing";

    /// <summary>Capture payments that are PENDING_CAPTURE and authorized (<c>Processing__AutoCapture</c>).</summary>
    public bool AutoCapture { get; set; } = true;

    /// <summary>The Service Bus subscription the ProcessConnectEvent trigger reads (<c>%Processing__SubscriptionName%</c> in its function.json).</summary>
    public string SubscriptionName { get; set; } = "processor";

    /// <summary>Tokenization policy.</summary>
    public TokenizeOptions Tokenize { get; set; } = new();

    /// <summary>How long one delivery may hold an event before another delivery may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The queue trigger's maxDequeueCount (host.json <c>extensions.queues.maxDequeueCount</c>); the last delivery marks the record poisoned.</summary>
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>The Service Bus subscription's max delivery count; the last delivery marks the record dead-lettered.</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>Service Bus redelivers a failed message at once; the failing invocation waits this long times the delivery count (capped) before it answers, as backoff.</summary>
    public TimeSpan ServiceBusRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The cap on that wait.</summary>
    public TimeSpan ServiceBusMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The standalone queue pump (local runs and tests).</summary>
    public PumpOptions Pump { get; set; } = new();
}

/// <summary>When to turn a payment's card into a reusable token, and whose token it is.</summary>
public sealed class TokenizeOptions
{
    /// <summary>Tokenize at all (<c>Processing__Tokenize__Enabled</c>; off by default, on in the sample settings).</summary>
    public bool Enabled { get; set; }

    /// <summary>Payment statuses (as read from Connect, not from the event) that are tokenized.</summary>
    public IList<string> Statuses { get; set; } = [];

    /// <summary>Payment methods that are tokenized (Connect's paymentOutput.paymentMethod).</summary>
    public IList<string> PaymentMethods { get; set; } = [];

    /// <summary>
    /// Where the customer reference is read in the payment, as a dotted path; by default the merchant reference the
    /// merchant set when it created the payment. A payment without it is not tokenized.
    /// </summary>
    public string CustomerReferencePath { get; set; } = "paymentOutput.references.merchantReference";

    /// <summary>The statuses used when none are configured.</summary>
    public static IReadOnlyList<string> DefaultStatuses { get; } = ["CAPTURED", "PAID"];

    /// <summary>The payment methods used when none are configured.</summary>
    public static IReadOnlyList<string> DefaultPaymentMethods { get; } = ["card"];
}

/// <summary>The standalone pump that drains the Storage queue with the Functions queue trigger's semantics.</summary>
public sealed class PumpOptions
{
    /// <summary>Run the pump in standalone mode (never under the Functions host).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages processed at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>How long a received message stays invisible while it is processed.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The first retry delay after a failed delivery; doubles per dequeue, capped by <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The cap on the retry delay.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait when the queue is empty (doubles up to 1 s).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
