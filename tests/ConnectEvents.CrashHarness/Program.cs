using ConnectEvents.CrashHarness;
using ConnectEvents.Functions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Settings come from environment variables only (Events__QueueName, AzureWebJobsStorage, Crash__*, ...), as the suite sets them.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddConnectEventsFunctions(builder.Configuration);
builder.Services.AddCrashPoints(builder.Configuration);
builder.Services.AddHostedService<QueueTriggerListener>();
builder.Build().Run();
