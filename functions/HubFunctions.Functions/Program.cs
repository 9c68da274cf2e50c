using HubFunctions.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.Configuration.AddHubLoggingDefaults();
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<HubWorkerMiddleware>();
builder.Services.AddHub(builder.Configuration);
builder.Build().Run();
