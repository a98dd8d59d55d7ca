using System.Globalization;
using ConnectEvents.Functions.Hosting;
using ConnectEvents.Hosting;
using ConnectEvents.Platform3;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace ConnectEvents.Functions.Notifications;

/// <summary>
/// The <c>Platform3Notification</c> function: the v3 platform's asynchronous notifications, POSTed to the
/// <c>notificationUrl</c> we minted (<see cref="NotificationUrls"/>). The URL is checked before the body is read; a valid
/// notification is enqueued on <c>Platform3__QueueName</c> and answered 200 only once the queue has it.
/// </summary>
/// <param name="platforms">Whether the v3 platform is on (off: 404).</param>
/// <param name="ingress">Verifies the URL and enqueues.</param>
/// <param name="options">The body limit and Retry-After.</param>
/// <param name="budget">The process-wide budget the body must fit before it is read.</param>
public sealed class Platform3Notification(EnabledPlatforms platforms, NotificationIngress ingress, IOptions<Platform3Options> options, RequestBodyBudget budget)
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
        if (!platforms.V3)
        {
            return Response.Text(StatusCodes.Status404NotFound, EnabledPlatforms.V3OffMessage);
        }

        var settings = options.Value;
        var query = request.Query;
        var verification = await ingress.VerifyAsync(name => query[name], cancellationToken);
        var stored = false;
        switch (verification.Failure)
        {
            case NotificationUrlFailure.None:
                using (var body = await BoundedBody.ReadAsync(request.HttpContext, settings.MaxBodyBytes, budget, cancellationToken))
                {
                    if (body.IsOverBudget)
                    {
                        return Response.OverBudget(budget);
                    }

                    if (body.IsTooLarge)
                    {
                        return Response.Text(StatusCodes.Status413PayloadTooLarge, $"The body exceeds {settings.MaxBodyBytes} bytes.");
                    }

                    if (body.FailedStatus != 0)
                    {
                        return Response.Text(body.FailedStatus, "The body was not received whole.");
                    }

                    stored = await ingress.EnqueueAsync(verification, body.Bytes, cancellationToken);
                }

                break;
            case NotificationUrlFailure.KeyStoreUnavailable:
                break;
            default:
                return Response.Text(StatusCodes.Status401Unauthorized, "The notification URL is not valid.");
        }

        return stored
            ? Response.Status(StatusCodes.Status200OK)
            : Response.Text(StatusCodes.Status503ServiceUnavailable, "The notification could not be stored; retry later.")
                .WithHeader("Retry-After", settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture));
    }
}
