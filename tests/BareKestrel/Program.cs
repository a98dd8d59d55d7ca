using System.Globalization;
using System.Net;

// Same shape as the function app's Program: slim builder, 127.0.0.1 on FUNCTIONS_CUSTOMHANDLER_PORT, one route.
var builder = WebApplication.CreateSlimBuilder(args);
if (int.TryParse(builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
}

var app = builder.Build();
app.MapGet("/", () => Results.Ok());
app.MapGet("/api/webhooks/connect", (HttpContext context) =>
    Results.Text(context.Request.Headers["X-GCS-Webhooks-Endpoint-Verification"].ToString(), "text/plain"));
app.Run();
