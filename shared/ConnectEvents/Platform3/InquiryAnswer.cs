namespace ConnectEvents.Platform3;

/// <summary>The Inquiry API's answer for one payment (the same message a notification carries, but fetched by us).</summary>
/// <param name="HttpStatus">200, or 400 for a payment that failed (the seed: 400 is also a declined payment's answer).</param>
/// <param name="PaymentId">The platform's payment id, when given.</param>
/// <param name="ResultCode">The result code, <c>ddd.ddd.ddd</c> (always well formed here).</param>
/// <param name="ResultDescription">The platform's description of the code.</param>
/// <param name="Amount">The amount as the platform writes it.</param>
/// <param name="Currency">The currency.</param>
public sealed record InquiryAnswer(int HttpStatus, string? PaymentId, string ResultCode, string? ResultDescription, string? Amount, string? Currency);
