using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Infrastructure.Storage;

public static class StorageRegistration
{
    /// <summary>The setting the Functions host itself uses for its storage account.</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    /// <summary>
    /// A named queue client without message encoding, for code that must see message text exactly
    /// as stored (the DevHost's queue trigger, tests writing non-base64 messages).
    /// </summary>
    public const string RawQueueClientName = "raw";

    /// <summary>
    /// Registers the Table, Queue and Blob clients once. Locally (Azurite) the connection string in
    /// <c>AzureWebJobsStorage</c>; in Azure the identity-based form
    /// (<c>AzureWebJobsStorage__accountName</c>) with <see cref="DefaultAzureCredential"/>.
    /// </summary>
    public static IServiceCollection AddHubStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionSetting];
        var accountName = configuration[$"{ConnectionSetting}:accountName"];
        if (string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(accountName))
        {
            throw new InvalidOperationException(
                $"No storage configured: set '{ConnectionSetting}' (a connection string, e.g. Azurite's) or '{ConnectionSetting}__accountName' (managed identity).");
        }

        services.AddAzureClients(clients =>
        {
            if (!string.IsNullOrWhiteSpace(connectionString))
            {
                clients.AddTableServiceClient(connectionString).ConfigureOptions(ConfigureRetry);
                clients.AddQueueServiceClient(connectionString).ConfigureOptions(o =>
                {
                    o.MessageEncoding = QueueMessageEncoding.Base64;
                    ConfigureRetry(o);
                });
                clients.AddBlobServiceClient(connectionString).ConfigureOptions(ConfigureRetry);
                clients.AddQueueServiceClient(connectionString).WithName(RawQueueClientName).ConfigureOptions(ConfigureRetry);
            }
            else
            {
                clients.AddTableServiceClient(new Uri($"https://{accountName}.table.core.windows.net")).ConfigureOptions(ConfigureRetry);
                clients.AddQueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net")).ConfigureOptions(o =>
                {
                    o.MessageEncoding = QueueMessageEncoding.Base64;
                    ConfigureRetry(o);
                });
                clients.AddBlobServiceClient(new Uri($"https://{accountName}.blob.core.windows.net")).ConfigureOptions(ConfigureRetry);
                clients.AddQueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net")).WithName(RawQueueClientName).ConfigureOptions(ConfigureRetry);
                clients.UseCredential(new DefaultAzureCredential());
            }
        });

        services.AddSingleton<HubStorage>();
        return services;
    }

    /// <summary>
    /// The SDK's own retries cover transient storage faults; they are kept short so a request or a
    /// health check fails fast instead of hanging when storage is away.
    /// </summary>
    private static void ConfigureRetry(ClientOptions options)
    {
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
    }
}
