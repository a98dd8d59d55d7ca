using ConnectEvents.Functions.Hosting;
using ConnectEvents.Functions.Processing;
using ConnectEvents.Functions.Sessions;
using ConnectEvents.Functions.Webhooks;

var builder = WebApplication.CreateSlimBuilder(args);
builder.UseAppSettingsBesideTheExecutable();
builder.UseFunctionsCustomHandlerPort();
builder.AddConnectWebhook();
builder.AddConnectProcessing();
builder.AddClientSessions();

var app = builder.Build();
app.MapFunctionsHostReadiness();
app.MapConnectWebhook();
app.MapConnectProcessing();
app.MapClientSessions();

app.Run();

/// <summary>Entry point of the function app; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
