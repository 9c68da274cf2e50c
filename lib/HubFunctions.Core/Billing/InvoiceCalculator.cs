using System.Globalization;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Billing;

/// <summary>Money rounding (BIL-5): half away from zero to 0.01 CNY, in <see cref="decimal"/>.</summary>
public static class Money
{
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}

/// <summary>
/// Computes one seller's invoice at one hub for one period (BIL-2..BIL-5, BIL-7, BIL-9, H-1). Pure: the rollups,
/// snapshots, claims and cards are given; nothing is read or written. Lines, in order: storage (one line per
/// rate card in force during the period), usage kinds in <see cref="UsageKind.All"/> order (one line per kind
/// and card), then one credit line per claim. The same inputs in any order give the same invoice.
/// </summary>
public static class InvoiceCalculator
{
    public const string StorageKind = "storage";
    public const string ClaimCreditKind = "claim-credit";
    public const string CalendarOutOfRange = CalendarQueries.OutOfRangeCode;

    /// <summary>Working days from issue to settlement (BIL-7: T+3).</summary>
    public const int SettlementWorkingDays = 3;

    public static InvoiceResult Compute(InvoiceInput input, RateCardHistory cards, ChinaWorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(calendar);
        if (cards.Hub != input.Hub)
        {
            throw new ArgumentException($"Rate cards of {cards.Hub} given for an invoice at {input.Hub}.", nameof(cards));
        }

        var period = input.Period;
        var cardOf = new Dictionary<DateOnly, RateCard>();
        var uncovered = new List<DateOnly>();
        foreach (var day in period.Dates())
        {
            if (cards.InForceOn(day) is { } card)
            {
                cardOf[day] = card;
            }
            else
            {
                uncovered.Add(day);
            }
        }

        if (uncovered.Count > 0)
        {
            return new InvoiceResult(null, BillingCodes.NoRateCard,
                $"Hub {input.Hub} has no rate card in force on {uncovered[0]:yyyy-MM-dd}" +
                (uncovered.Count > 1 ? $" (and {uncovered.Count - 1} more days of {period})" : string.Empty) +
                "; nothing is billed there until a reviewer sets one (H-1).");
        }

        DateOnly settlementOn;
        try
        {
            settlementOn = calendar.AddWorkingDays(input.IssuedOn, SettlementWorkingDays);
        }
        catch (CalendarOutOfRangeException e)
        {
            return new InvoiceResult(null, CalendarOutOfRange, e.Message);
        }

        var lines = new List<InvoiceLine>();
        var flags = new List<InvoiceFlag>();
        StorageLines(input, cardOf, lines, flags);
        UsageLines(input, cardOf, lines);
        ClaimLines(input, lines);
        var total = lines.Sum(l => l.Amount);
        if (total < 0m)
        {
            flags.Add(new InvoiceFlag(BillingCodes.CreditBalance, "Claim credits exceed the charges: the seller is owed the difference (BIL-9).", []));
        }

        return new InvoiceResult(
            new InvoiceDraft(input.SellerId, input.Hub, period, input.IssuedOn, settlementOn, lines, total, flags), null, null);
    }

    /// <summary>
    /// BIL-4: the m³ of each day of the period: its snapshot, else the previous day's figure carried forward
    /// (flagged), else 0 before the first snapshot ever known (flagged). Null when the seller has no snapshot
    /// in or before the period (no storage line at all).
    /// </summary>
    public static IReadOnlyList<(DateOnly Date, decimal CubicMeters, bool CarriedForward)>? DailyVolumes(BillingPeriod period, IReadOnlyList<StorageSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        var byDate = new Dictionary<DateOnly, decimal>();
        StorageSnapshot? before = null;
        foreach (var s in snapshots)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(s.CubicMeters, nameof(snapshots));
            if (period.Contains(s.Date))
            {
                if (!byDate.TryAdd(s.Date, s.CubicMeters))
                {
                    throw new ArgumentException($"Two storage snapshots for {s.Date:yyyy-MM-dd}.", nameof(snapshots));
                }
            }
            else if (s.Date < period.FirstDay && (before is null || s.Date > before.Date))
            {
                before = s;
            }
        }

        if (byDate.Count == 0 && before is null)
        {
            return null;
        }

        var days = new List<(DateOnly, decimal, bool)>(period.Days);
        decimal? previous = before?.CubicMeters;
        foreach (var day in period.Dates())
        {
            if (byDate.TryGetValue(day, out var m3))
            {
                days.Add((day, m3, false));
                previous = m3;
            }
            else
            {
                days.Add((day, previous ?? 0m, true));
            }
        }

        return days;
    }

    private static void StorageLines(InvoiceInput input, Dictionary<DateOnly, RateCard> cardOf, List<InvoiceLine> lines, List<InvoiceFlag> flags)
    {
        var volumes = DailyVolumes(input.Period, input.Snapshots);
        if (volumes is null)
        {
            return;
        }

        var daysInMonth = input.Period.Days;
        foreach (var segment in volumes.GroupBy(v => cardOf[v.Date]).OrderBy(g => g.Key.EffectiveFrom))
        {
            var card = segment.Key;
            var cubicMeterDays = segment.Sum(v => v.CubicMeters);
            var first = segment.First().Date;
            var last = segment.Last().Date;
            var amount = Money.Round(card.StoragePerCubicMetreMonth * cubicMeterDays / daysInMonth);
            lines.Add(new InvoiceLine(StorageKind,
                string.Create(CultureInfo.InvariantCulture, $"Storage {first:yyyy-MM-dd}..{last:yyyy-MM-dd}: {card.StoragePerCubicMetreMonth} CNY per m³ per month × {cubicMeterDays} m³·days ÷ {daysInMonth} days"),
                cubicMeterDays, "m3-day", card.StoragePerCubicMetreMonth, amount, card.EffectiveFrom));
        }

        var carried = volumes.Where(v => v.CarriedForward).ToList();
        var known = carried.Where(v => v.CubicMeters > 0m || HasEarlier(input, v.Date)).Select(v => v.Date).ToList();
        var unknown = carried.Select(v => v.Date).Except(known).ToList();
        if (known.Count > 0)
        {
            flags.Add(new InvoiceFlag(BillingCodes.StorageCarriedForward,
                "No storage snapshot on these days: the previous day's volume was carried forward (BIL-4).", known));
        }

        if (unknown.Count > 0)
        {
            flags.Add(new InvoiceFlag(BillingCodes.StorageNoEarlierSnapshot,
                "No storage snapshot on or before these days: they count as 0 m³ (BIL-4).", unknown));
        }
    }

    private static bool HasEarlier(InvoiceInput input, DateOnly date) => input.Snapshots.Any(s => s.Date < date);

    private static void UsageLines(InvoiceInput input, Dictionary<DateOnly, RateCard> cardOf, List<InvoiceLine> lines)
    {
        var groups = new Dictionary<(string Kind, DateOnly Card), decimal>();
        foreach (var record in input.Usage)
        {
            if (record.SellerId != input.SellerId || record.Hub != input.Hub)
            {
                throw new ArgumentException($"Usage {record.UsageId} belongs to {record.SellerId} at {record.Hub}, not to this invoice.", nameof(input));
            }

            if (!input.Period.Contains(record.Date))
            {
                continue;
            }

            var key = (record.Kind, cardOf[record.Date].EffectiveFrom);
            groups[key] = groups.GetValueOrDefault(key) + WholeUnits(record.Quantity);
        }

        foreach (var ((kindCode, effectiveFrom), units) in groups.OrderBy(g => UsageKind.OrderOf(g.Key.Kind)).ThenBy(g => g.Key.Card))
        {
            var kind = UsageKind.Find(kindCode)!;
            var rate = cardOf.Values.First(c => c.EffectiveFrom == effectiveFrom).RateOf(kindCode);
            lines.Add(new InvoiceLine(kindCode, kind.Description, units, kind.Unit, rate, Money.Round(rate * units), effectiveFrom));
        }
    }

    /// <summary>BIL-2: each record's quantity rounded up to whole units (0.5 → 1, 1 → 1, 1.0001 → 2).</summary>
    public static decimal WholeUnits(decimal quantity) => decimal.Ceiling(quantity);

    private static void ClaimLines(InvoiceInput input, List<InvoiceLine> lines)
    {
        foreach (var claim in input.Claims.OrderBy(c => c.ClaimId, StringComparer.Ordinal))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(claim.GoodsValueCny, nameof(input));
            lines.Add(new InvoiceLine(ClaimCreditKind,
                $"Compensation for claim {claim.ClaimId} (order {claim.OrderId}): 100 % of the goods' value (BIL-9)",
                1m, "claim", claim.GoodsValueCny, -Money.Round(claim.GoodsValueCny), null));
        }
    }
}
