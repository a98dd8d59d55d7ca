using ConnectEvents.Functions.Hosting;
using ConnectEvents.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace ConnectEvents.Functions.Sessions;

/// <summary>The <c>CustomerTokens</c> function: operators list a customer's stored tokens or delete one (at Connect too).</summary>
/// <param name="platforms">Whether the Connect platform is on (off: 404).</param>
/// <param name="service">Reads and deletes stored tokens.</param>
public sealed class CustomerTokens(EnabledPlatforms platforms, ClientSessionService service)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(CustomerTokens);

    /// <summary>GET <c>/api/customers/{customerReference}/tokens</c> lists; DELETE <c>…/tokens/{tokenId}</c> deletes; needs the admin key.</summary>
    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", "delete", Route = "customers/{customerReference}/tokens/{tokenId?}")] HttpRequest request,
        string customerReference,
        string? tokenId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!platforms.Connect)
        {
            return Response.Text(StatusCodes.Status404NotFound, EnabledPlatforms.ConnectOffMessage);
        }

        if (request.Query.ContainsKey(ClientSessionValidation.MerchantIdField))
        {
            return SessionResponses.Problem(ClientSessionValidation.MerchantIdRefused);
        }

        if (HttpMethods.IsGet(request.Method))
        {
            if (!string.IsNullOrEmpty(tokenId))
            {
                return Response.Status(StatusCodes.Status405MethodNotAllowed).WithHeader("Allow", "DELETE");
            }

            var list = await service.ListAsync(customerReference, cancellationToken);
            return SessionResponses.From(list, SessionJsonContext.Default.IReadOnlyListStoredTokenView);
        }

        if (string.IsNullOrEmpty(tokenId))
        {
            return Response.Status(StatusCodes.Status405MethodNotAllowed).WithHeader("Allow", "GET");
        }

        var deleted = await service.DeleteAsync(customerReference, tokenId, cancellationToken);
        return deleted.Problem is not null
            ? SessionResponses.Problem(deleted.Problem)
            : Response.Status(deleted.Value ? StatusCodes.Status204NoContent : StatusCodes.Status404NotFound);
    }
}
