namespace ConnectEvents.Platform3;

/// <summary>
/// An inquiry that gave no usable answer: the HTTP status (0 when none came) and why. Whether another try may help is
/// <see cref="Failures.FailureClassifier"/>'s to say, from these facts.
/// </summary>
public sealed class InquiryException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public InquiryException() : base("The inquiry failed.") { }

    /// <summary>Creates the exception with a reason.</summary>
    public InquiryException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and cause.</summary>
    public InquiryException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The answer's HTTP status, or 0 when no whole answer came (timeout, connection failure, a body that broke off or stalled).</summary>
    public int StatusCode { get; init; }

    /// <summary>A short safe reason for records: <c>unauthorized</c>, <c>not-found</c>, <c>server-error</c>, …</summary>
    public string Reason { get; init; } = "failed";

    /// <summary>The result code of the error body, when it had a well-formed one.</summary>
    public string? ResultCode { get; init; }
}
