using System.Text.Json;
using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Compliance;

/// <summary>The CMP-5 re-check queue (<see cref="StorageNames.TaxRecheckQueue"/>): one JSON <see cref="TaxRecheckMessage"/> per message.</summary>
public sealed class StorageTaxRecheckQueue(HubStorage storage) : ITaxRecheckQueue
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnqueueAsync(IReadOnlyList<TaxRecheckMessage> messages, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var queue = await storage.QueueAsync(storage.Names.TaxRecheckQueue, cancellationToken).ConfigureAwait(false);
        TimeSpan? visibility = delay > TimeSpan.Zero ? delay : null;
        foreach (var chunk in messages.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(m => queue.SendMessageAsync(JsonSerializer.Serialize(m, Json), visibility, cancellationToken: cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a message body; null when it is not a re-check message.</summary>
    public static TaxRecheckMessage? Parse(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<TaxRecheckMessage>(body, Json);
            return message is { Month.Length: 7 } ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
