using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Rate cards (BIL-1, H-1): the published cards (<see cref="PublishedRates.Cards"/>, Hangzhou and Dongguan from 2024-01-01) are
/// built in; a reviewer's versions are rows of <see cref="StorageNames.RateCardsTable"/>, partition = hub, row = <c>effectiveFrom</c>
/// (insert-only, so a version is never changed). Tianjin and Xi'an have no card until a reviewer adds one.
/// </summary>
public sealed class TableRateCards(HubStorage storage, TableOutbox outbox) : IRateCardStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RateCardHistory> HistoryAsync(string hub, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var stored = new List<RateCard>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {hub}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var rates = JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Rates")!, Json)!;
            stored.Add(new RateCard(hub, DateOnly.ParseExact(e.RowKey, "yyyy-MM-dd", CultureInfo.InvariantCulture), Number(e.GetString("Storage")),
                rates.ToDictionary(r => r.Key, r => Number(r.Value), StringComparer.Ordinal)));
        }

        var published = PublishedRates.Cards.Where(c => c.Hub == hub && stored.All(s => s.EffectiveFrom != c.EffectiveFrom));
        return new RateCardHistory(hub, stored.Concat(published));
    }

    public async Task<BillingWrite> AddAsync(RateCard card, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        if (await SameAsync(card, cancellationToken).ConfigureAwait(false) is { } known)
        {
            return known;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(card.Hub, card.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
        {
            ["Storage"] = card.StoragePerCubicMetreMonth.ToString(CultureInfo.InvariantCulture),
            ["Rates"] = JsonSerializer.Serialize(card.UsageRates.ToDictionary(r => r.Key, r => r.Value.ToString(CultureInfo.InvariantCulture)), Json),
        };
        try
        {
            await outbox.CommitAsync(table, card.Hub, [new(TableTransactionActionType.Add, entity)], [], cancellationToken).ConfigureAwait(false);
            return BillingWrite.Stored;
        }
        catch (ConcurrencyConflictException)
        {
            return await SameAsync(card, cancellationToken).ConfigureAwait(false) ?? BillingWrite.Conflict;
        }
    }

    /// <summary>Unchanged / Conflict when a card with that <c>effectiveFrom</c> exists; null when none does.</summary>
    private async Task<BillingWrite?> SameAsync(RateCard card, CancellationToken cancellationToken)
    {
        var existing = (await HistoryAsync(card.Hub, cancellationToken).ConfigureAwait(false)).Cards.FirstOrDefault(c => c.EffectiveFrom == card.EffectiveFrom);
        if (existing is null)
        {
            return null;
        }

        var same = existing.StoragePerCubicMetreMonth == card.StoragePerCubicMetreMonth
                   && existing.UsageRates.Count == card.UsageRates.Count
                   && existing.UsageRates.All(r => card.UsageRates.TryGetValue(r.Key, out var v) && v == r.Value);
        return same ? BillingWrite.Unchanged : BillingWrite.Conflict;
    }

    private static decimal Number(string? s) => decimal.Parse(s ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.RateCardsTable, cancellationToken);
}
