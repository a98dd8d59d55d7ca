namespace ConnectEvents.Platform3;

/// <summary>The v3 Inquiry API: the authoritative status of a payment, looked up by the merchant's payment reference.</summary>
public interface IInquiryClient
{
    /// <summary>Gets the payment's current result.</summary>
    /// <exception cref="InquiryException">The platform did not give a usable answer; <see cref="Failures.FailureClassifier"/> says whether to retry.</exception>
    Task<InquiryAnswer> GetPaymentAsync(string merchantId, string reference, CancellationToken cancellationToken);
}
