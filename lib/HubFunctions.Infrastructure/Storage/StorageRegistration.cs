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
    /// Registers the Table, Queue and Blob clients once (Microsoft.Extensions.Azure). Locally
    /// (Azurite) from the connection string in <c>AzureWebJobsStorage</c>; in Azure from the
    /// identity-based form (<c>AzureWebJobsStorage__accountName</c>) with
    /// <see cref="DefaultAzureCredential"/>. Settings are read when the clients are first made.
    /// </summary>
    public static IServiceCollection AddHubStorage(this IServiceCollection services)
    {
        services.AddAzureClients(clients =>
        {
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, provider) =>
            {
                ConfigureRetry(options);
                var account = Account.From(provider);
                return account.ConnectionString is { } cs ? new TableServiceClient(cs, options) : new TableServiceClient(account.Endpoint("table"), credential, options);
            });
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) => Queues(options, credential, provider, QueueMessageEncoding.Base64));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) => Queues(options, credential, provider, QueueMessageEncoding.None))
                .WithName(RawQueueClientName);
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, provider) =>
            {
                ConfigureRetry(options);
                var account = Account.From(provider);
                return account.ConnectionString is { } cs ? new BlobServiceClient(cs, options) : new BlobServiceClient(account.Endpoint("blob"), credential, options);
            });
            clients.UseCredential(_ => new DefaultAzureCredential());
        });

        services.AddSingleton<HubStorage>();
        return services;
    }

    private static QueueServiceClient Queues(QueueClientOptions options, TokenCredential credential, IServiceProvider provider, QueueMessageEncoding encoding)
    {
        ConfigureRetry(options);
        options.MessageEncoding = encoding;
        var account = Account.From(provider);
        return account.ConnectionString is { } cs ? new QueueServiceClient(cs, options) : new QueueServiceClient(account.Endpoint("queue"), credential, options);
    }

    private sealed record Account(string? ConnectionString, string? Name)
    {
        public static Account From(IServiceProvider provider)
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            var connectionString = configuration[ConnectionSetting];
            var name = configuration[$"{ConnectionSetting}:accountName"];
            if (string.IsNullOrWhiteSpace(connectionString) && string.IsNullOrWhiteSpace(name))
            {
                throw new InvalidOperationException(
                    $"No storage configured: set '{ConnectionSetting}' (a connection string, e.g. Azurite's) or '{ConnectionSetting}__accountName' (managed identity).");
            }

            return new Account(string.IsNullOrWhiteSpace(connectionString) ? null : connectionString, name);
        }

        public Uri Endpoint(string service) => new($"https://{Name}.{service}.core.windows.net");
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
