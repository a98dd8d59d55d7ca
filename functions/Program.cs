using ConnectEvents.Functions;
using ConnectEvents.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

// The isolated worker the Functions host starts. What runs is in the function classes (one per function); what they
// use is registered by AddConnectEventsFunctions, which the dev host (tools/ConnectEvents.DevHost) calls too.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddHostJson(HostJsonConfiguration.DefaultPath);
// Tracing (when an exporter is configured) joins the Functions host's invocation trace: UseFunctionsWorkerDefaults.
builder.Services.AddConnectEventsFunctions(builder.Configuration, tracing => tracing.UseFunctionsWorkerDefaults());
builder.Build().Run();
