namespace ConnectEvents.Platform3;

/// <summary>The normalized event subscribers receive when an inquiry finds a v3 payment in a new status.</summary>
/// <param name="Id">
/// The status change's id (also MessageId, hashed when over 128 characters): <c>v3:&lt;merchant&gt;:&lt;reference&gt;:&lt;code&gt;</c>,
/// followed by <c>:from:&lt;previous code&gt;</c> when an earlier status was verified. A redelivery of the same change has the same id.
/// </param>
/// <param name="Platform">Always <c>v3</c>.</param>
/// <param name="MerchantId">The merchant.</param>
/// <param name="Reference">The merchant's payment reference.</param>
/// <param name="PaymentId">The platform's payment id.</param>
/// <param name="ResultCode">The verified result code.</param>
/// <param name="Category">Its category.</param>
/// <param name="Description">The platform's description.</param>
/// <param name="Amount">The amount.</param>
/// <param name="Currency">The currency.</param>
/// <param name="PreviousResultCode">The status verified before this one, when there was one.</param>
/// <param name="NotifiedAt">When the notification that led to the inquiry arrived.</param>
/// <param name="VerifiedAt">When the inquiry answered.</param>
public sealed record VerifiedPaymentEvent(
    string Id, string Platform, string MerchantId, string Reference, string? PaymentId, string ResultCode, string Category,
    string? Description, string? Amount, string? Currency, string? PreviousResultCode, DateTimeOffset NotifiedAt, DateTimeOffset VerifiedAt)
{
    /// <summary>The id of the change from <paramref name="previous"/> to <paramref name="code"/> of one payment (see <see cref="Id"/>).</summary>
    public static string ChangeId(string merchantId, string reference, string code, string? previous) =>
        previous is null ? $"v3:{merchantId}:{reference}:{code}" : $"v3:{merchantId}:{reference}:{code}:from:{previous}";
}
