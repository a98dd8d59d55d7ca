using System.Globalization;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Platform3;
using ConnectEvents.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Functions.Notifications;

/// <summary>
/// The <c>Platform3Notification</c> function: the v3 platform's asynchronous notifications, POSTed to the
/// <c>notificationUrl</c> we minted (<see cref="NotificationUrls"/>). The URL's token is checked before the body is read;
/// a valid notification is enqueued on <c>Platform3__QueueName</c> and answered 200 only once the queue has it.
/// </summary>
/// <param name="services">The app's services; the v3 ones exist only when <c>Platform3__Endpoint</c> is set.</param>
public sealed class Platform3Notification(IServiceProvider services)
{
    /// <summary>The function name the host knows it by.</summary>
    public const string Name = nameof(Platform3Notification);

    /// <summary>The full path (routePrefix <c>api</c> + the function's route); the base of every minted notification URL.</summary>
    public const string Route = "/api/notifications/v3";

    /// <summary>Anonymous on purpose: the token in the URL is the authentication.</summary>
    [Function(Name)]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "notifications/v3")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (services.GetService<Platform3Switch>() is not { IsEnabled: true })
        {
            return Response.Text(StatusCodes.Status404NotFound, "v3 notifications are not enabled here.");
        }

        var ingress = services.GetRequiredService<NotificationIngress>();
        var settings = services.GetRequiredService<IOptions<Platform3Options>>().Value;
        var query = request.Query;
        var (status, verification) = await ingress.VerifyAsync(
            query[NotificationUrls.MerchantParameter], query[NotificationUrls.ReferenceParameter],
            query[NotificationUrls.KeyIdParameter], query[NotificationUrls.SignatureParameter], cancellationToken);
        if (status == IngressStatus.Unauthorized)
        {
            return Response.Text(StatusCodes.Status401Unauthorized, "The notification URL is not valid.");
        }

        if (status == IngressStatus.Accepted)
        {
            using var body = await BoundedBody.ReadAsync(request.HttpContext, settings.MaxBodyBytes, cancellationToken);
            if (body.IsTooLarge)
            {
                return Response.Text(StatusCodes.Status413PayloadTooLarge, $"The body exceeds {settings.MaxBodyBytes} bytes.");
            }

            if (body.FailedStatus != 0)
            {
                return Response.Text(body.FailedStatus, "The body was not received whole.");
            }

            status = (await ingress.EnqueueAsync(verification!, body.Bytes, cancellationToken)).Status;
        }

        return status == IngressStatus.Accepted
            ? Response.Status(StatusCodes.Status200OK)
            : Response.Text(StatusCodes.Status503ServiceUnavailable, "The notification could not be stored; retry later.")
                .WithHeader("Retry-After", settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
    }
}
