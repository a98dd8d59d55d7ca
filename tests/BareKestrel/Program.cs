// Same shape as the dev host as a user starts it: `--urls http://127.0.0.1:<port>`, the webhook verification route and answer.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/", () => Results.Ok());
app.MapGet("/api/webhooks/connect", (HttpContext context) =>
    Results.Text(context.Request.Headers["X-GCS-Webhooks-Endpoint-Verification"].ToString(), "text/plain"));
app.Run();
