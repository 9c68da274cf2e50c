using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>One seller's line of a snapshot request; <see cref="CubicMeters"/> is the raw JSON number text.</summary>
public sealed record SnapshotSellerInput(string? SellerId, string? CubicMeters);

/// <summary>Checks of <c>POST /api/hubs/{hub}/storage-snapshots</c> (BIL-4): every field error at once.</summary>
public static class StorageSnapshots
{
    /// <summary>Most sellers in one request (decided here).</summary>
    public const int MaxSellersPerRequest = 1000;

    /// <summary>Largest volume of one seller at one hub (decided here: a sanity bound).</summary>
    public const decimal MaxCubicMeters = 1_000_000m;

    /// <summary>
    /// Checks a snapshot for <paramref name="hub"/>: <c>date</c> as YYYY-MM-DD, not after today in Asia/Shanghai
    /// (a snapshot of today is accepted: it is taken during the day); each seller once; m³ from 0 to
    /// <see cref="MaxCubicMeters"/> (0 is a real reading: the seller holds nothing).
    /// </summary>
    public static IReadOnlyList<FieldError> Check(string hub, string? date, IReadOnlyList<SnapshotSellerInput>? sellers, DateTimeOffset now,
        out DateOnly snapshotDate, out IReadOnlyList<(string SellerId, decimal CubicMeters)> valid)
    {
        valid = [];
        var errors = new List<FieldError>();
        if (!CalendarQueries.TryParseDate(date, out snapshotDate))
        {
            errors.Add(new FieldError("date", date is null ? BillingCodes.Required : BillingCodes.InvalidDate, "date must be a date as YYYY-MM-DD."));
        }
        else if (snapshotDate > ChinaTime.DateOf(now))
        {
            errors.Add(new FieldError("date", BillingCodes.DateInFuture, $"date {snapshotDate:yyyy-MM-dd} is in the future (Asia/Shanghai)."));
        }

        if (sellers is null || sellers.Count == 0)
        {
            errors.Add(new FieldError("sellers", BillingCodes.Required, "sellers must list at least one seller."));
            return errors;
        }

        if (sellers.Count > MaxSellersPerRequest)
        {
            errors.Add(new FieldError("sellers", BillingCodes.TooManyRecords, $"At most {MaxSellersPerRequest} sellers per request."));
            return errors;
        }

        var result = new List<(string, decimal)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sellers.Count; i++)
        {
            var at = $"sellers[{i}]";
            var before = errors.Count;
            UsageRecords.CheckSeller(hub, sellers[i].SellerId, $"{at}.sellerId", errors);
            if (errors.Count == before && !seen.Add(sellers[i].SellerId!))
            {
                errors.Add(new FieldError($"{at}.sellerId", BillingCodes.DuplicateId, "sellerId appears twice in this snapshot."));
            }

            if (UsageRecords.CheckNumber(sellers[i].CubicMeters, $"{at}.cubicMeters", MaxCubicMeters, allowZero: true, out var m3) is { } error)
            {
                errors.Add(error with
                {
                    Code = error.Code == BillingCodes.Required ? error.Code : BillingCodes.InvalidCubicMeters,
                    Message = $"cubicMeters must be a JSON number from 0 to {MaxCubicMeters:0}.",
                });
            }

            if (errors.Count == before)
            {
                result.Add((sellers[i].SellerId!, m3));
            }
        }

        if (errors.Count == 0)
        {
            valid = result;
        }

        return errors;
    }
}
