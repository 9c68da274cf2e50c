using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The Azurite that scripts/test.sh started for this run (in memory, free ports). Tests that need
/// storage fail with a clear message when it is absent; they never skip.
/// </summary>
public static class TestStorage
{
    public static string ConnectionString => Environment.GetEnvironmentVariable("HUB_TEST_STORAGE") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException("HUB_TEST_STORAGE is not set: run the tests with scripts/test.sh, which starts Azurite.");

    /// <summary>A connection string to ports where nothing listens: storage that is down.</summary>
    public const string Unreachable =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";

    public static TableServiceClient Tables() => new(ConnectionString);

    /// <summary>A queue client that sends base64, as the Functions queue trigger expects.</summary>
    public static QueueClient Queue(string name) => new(ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    /// <summary>A queue client that sends and reads text exactly as given.</summary>
    public static QueueClient RawQueue(string name) => new(ConnectionString, name);

    public static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Storage names of the app's own (every table, queue and container of <see cref="StorageNames"/>)
    /// that no other test uses: each default name with a random tag. A test class that runs the app
    /// on these sees only its own rows and messages.
    /// </summary>
    public static StorageNames IsolatedNames()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var names = new StorageNames();
        foreach (var property in typeof(StorageNames).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
        {
            var name = (string)property.GetValue(names)!;
            property.SetValue(names, property.Name.EndsWith("Table", StringComparison.Ordinal) ? name + tag : $"{name}-{tag}");
        }

        return names;
    }

    /// <summary>The settings (<c>Hub:Storage:*</c>) that make the app use <paramref name="names"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings(StorageNames names)
        => names.All.Select(n => new KeyValuePair<string, string?>($"{StorageNames.Section}:{n.Setting}", n.Name));
}
