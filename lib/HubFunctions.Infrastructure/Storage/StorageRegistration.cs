using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Storage;

public static class StorageRegistration
{
    /// <summary>The setting the Functions host itself uses for its storage account.</summary>
    public const string ConnectionSetting = "AzureWebJobsStorage";

    /// <summary>
    /// A named queue client without message encoding, for code that must see message text exactly
    /// as stored (the DevHost's queue trigger, tests writing non-base64 messages).
    /// </summary>
    public const string UnencodedClientName = "raw";

    /// <summary>How long one try of a storage call waits for an answer.</summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(30);

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
                Configure(options, provider);
                var account = Account.From(provider);
                return account.ConnectionString is { } cs ? new TableServiceClient(cs, options) : new TableServiceClient(account.Endpoint("table"), credential, options);
            });
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) => Queues(options, credential, provider, QueueMessageEncoding.Base64));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, provider) => Queues(options, credential, provider, QueueMessageEncoding.None))
                .WithName(UnencodedClientName);
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, provider) =>
            {
                Configure(options, provider);
                var account = Account.From(provider);
                return account.ConnectionString is { } cs ? new BlobServiceClient(cs, options) : new BlobServiceClient(account.Endpoint("blob"), credential, options);
            });
            clients.UseCredential(_ => new DefaultAzureCredential());
        });

        services.AddOptions<StorageNames>().BindConfiguration(StorageNames.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageNames>, StorageNamesValidation>());
        services.AddSingleton<HubStorage>();
        services.TryAddSingleton<TableGroupCommit>();
        return services;
    }

    private static QueueServiceClient Queues(QueueClientOptions options, TokenCredential credential, IServiceProvider provider, QueueMessageEncoding encoding)
    {
        Configure(options, provider);
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
    /// The SDK's own retries cover transient storage faults, with back-off from 200 ms to 2 s. A try
    /// waits up to 30 s for an answer: Azure Table Storage itself gives a batch up to 30 s, and a
    /// single-threaded Azurite under load leaves requests unread for seconds, so a shorter limit
    /// mostly re-sends requests that were about to succeed (the outbox recognises its own re-sent
    /// commits, but each re-send is wasted work under load). Fault-injection tests add their
    /// policies through <see cref="StorageClientPolicy"/>.
    /// </summary>
    public static void Configure(ClientOptions options, IServiceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 3;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
        options.Retry.NetworkTimeout = NetworkTimeout;
        foreach (var policy in provider.GetServices<StorageClientPolicy>())
        {
            options.AddPolicy(policy, policy.Position);
        }
    }
}

/// <summary>
/// An Azure SDK pipeline policy added to every storage client the app registers (tests register
/// one to inject faults, e.g. a response lost after the request took effect). None in production.
/// </summary>
public abstract class StorageClientPolicy : HttpPipelinePolicy
{
    /// <summary>Per retry: the policy sees every try the SDK makes.</summary>
    public virtual HttpPipelinePosition Position => HttpPipelinePosition.PerRetry;
}

/// <summary>Refuses at start-up a configured name that Azure Storage would refuse at first use.</summary>
internal sealed class StorageNamesValidation : IValidateOptions<StorageNames>
{
    public ValidateOptionsResult Validate(string? name, StorageNames options)
        => options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
