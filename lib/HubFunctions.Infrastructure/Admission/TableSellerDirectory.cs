using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>
/// The seller store in the sellers table (<see cref="StorageNames.SellersTable"/>): one partition per
/// seller (the seller id), the seller itself at row <see cref="SellerRow"/> (<c>seller|{sellerId}</c>).
/// Point reads only. Writes go through the <see cref="TableOutbox"/>, so a seller and its events commit together.
/// The row key repeats the seller id so that it is unique in the table: Azurite (local runs, tests,
/// benchmarks) finds a row by its row key first, then filters every row sharing that key, so a key
/// every seller shares ("seller") made each point read cost O(sellers) there (Compliance DECISIONS).
/// Queries over all seller rows use <see cref="SellerRowsFilter"/>.
/// </summary>
public sealed class TableSellerDirectory(HubStorage storage, TableOutbox outbox) : ISellerDirectory
{
    public const string SellerRowPrefix = "seller|";

    /// <summary>How many sellers' hubs <see cref="FindHubAsync"/> remembers; beyond that it forgets them all and reads again.</summary>
    public const int RememberedHubs = 100_000;

    /// <summary>
    /// The hubs of sellers found in this process (<see cref="FindHubAsync"/>): a seller's hub never changes and a seller is
    /// never deleted, so a remembered hub is never stale; an unknown seller is not remembered (it may be stored later).
    /// </summary>
    private readonly ConcurrentDictionary<string, string> hubs = new(StringComparer.Ordinal);

    /// <summary>The row key of <paramref name="sellerId"/>'s seller row in its partition.</summary>
    public static string SellerRow(string sellerId) => SellerRowPrefix + sellerId;

    /// <summary>The OData filter matching every seller row (and no other row of the table): <c>RowKey ge 'seller|' and RowKey lt 'seller}'</c>.</summary>
    public static string SellerRowsFilter { get; } = TableClient.CreateQueryFilter($"RowKey ge {SellerRowPrefix} and RowKey lt {SellerRowPrefix[..^1] + (char)(SellerRowPrefix[^1] + 1)}");

    public async Task<Seller?> FindAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return null;
        }

        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, SellerRow(sellerId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? FromEntity(e) : null;
    }

    public async Task<string?> FindHubAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (hubs.TryGetValue(sellerId, out var known))
        {
            return known;
        }

        if (await FindAsync(sellerId, cancellationToken).ConfigureAwait(false) is not { } seller)
        {
            return null;
        }

        if (hubs.Count >= RememberedHubs)
        {
            hubs.Clear();
        }

        hubs[sellerId] = seller.Hub;
        return seller.Hub;
    }

    public async Task<bool> TryAddAsync(Seller seller, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seller);
        if (!Ids.IsKeySafe(seller.SellerId))
        {
            throw new ArgumentException($"Seller id '{seller.SellerId}' cannot be a table key.", nameof(seller));
        }

        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await outbox.CommitAsync(table, seller.SellerId, [new(TableTransactionActionType.Add, ToEntity(seller))], events, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }

    /// <summary>The seller row as this store writes it (also what the sweep benchmark seeds).</summary>
    public static TableEntity ToEntity(Seller s) => new(s.SellerId, SellerRow(s.SellerId))
    {
        ["Hub"] = s.Hub,
        ["HubSellerId"] = s.HubSellerId,
        ["Status"] = Wire(s.Status),
        ["Category"] = s.Category,
        ["EntityName"] = s.EntityName,
        ["UnifiedSocialCreditCode"] = s.UnifiedSocialCreditCode,
        ["TaxRating"] = s.TaxRating?.ToString(),
        ["ActiveSince"] = s.ActiveSince.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["FreezeReasons"] = JsonSerializer.Serialize(s.FreezeReasons, ComplianceJson.Options),
    };

    internal static Seller FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Hub")!,
        e.GetString("HubSellerId")!,
        e.GetString("Status") == "frozen" ? SellerStatus.Frozen : SellerStatus.Active,
        e.GetString("Category")!,
        e.GetString("EntityName")!,
        e.GetString("UnifiedSocialCreditCode")!,
        Enum.TryParse<TaxRating>(e.GetString("TaxRating"), ignoreCase: false, out var rating) ? rating : null,
        DateOnly.ParseExact(e.GetString("ActiveSince")!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        JsonSerializer.Deserialize<List<FreezeReason>>(e.GetString("FreezeReasons") ?? "[]", ComplianceJson.Options) ?? []);

    /// <summary>The wire name of a status (API.md: <c>active</c> / <c>frozen</c>).</summary>
    public static string Wire(SellerStatus status) => ComplianceWire.Status(status);
}
