using HubFunctions.Core.Billing;
using HubFunctions.Core.Calendar;
using static HubFunctions.Core.Tests.Billing.BillingTestData;

namespace HubFunctions.Core.Tests.Billing;

/// <summary>The worked examples of issue 12, each computed by hand in its comment.</summary>
public sealed class InvoiceWorkedExamplesTests
{
    private static readonly ChinaWorkingCalendar Calendar = ChinaWorkingCalendar.Default;

    private static InvoiceDraft Bill(InvoiceInput input, RateCardHistory? cards = null)
    {
        var result = InvoiceCalculator.Compute(input, cards ?? Published(input.Hub), Calendar);
        Assert.True(result.Billed, result.ErrorMessage);
        return result.Invoice!;
    }

    /// <summary>
    /// Hangzhou, March 2025 (31 days), published card (18.00 per m³ per month, picking 0.40, returns 5.00):
    /// storage: 120 m³ on 1–10, 125.5 on 11–20, 130 on 21–31 → Σ = 1,200 + 1,255 + 1,430 = 3,885 m³·days;
    ///          18.00 × 3,885 ÷ 31 = 69,930 ÷ 31 = 2,255.806… → 2,255.81
    /// picking: 0.5, 1 and 1,233 pieces → 1 + 1 + 1,233 = 1,235 pieces × 0.40 = 494.00
    /// returns: 12 orders × 5.00 = 60.00
    /// claim:   2,345.67 at 100 % → −2,345.67
    /// total:   2,255.81 + 494.00 + 60.00 − 2,345.67 = 464.14
    /// issued Tue 2025-04-01; T+3 working days: Wed 2 (1), Thu 3 (2), Fri 4–Sun 6 Qingming off, Mon 7 (3) → 2025-04-07.
    /// </summary>
    [Fact]
    public void BIL_2_3_4_5_9_hangzhou_seller_march_invoice_matches_the_hand_computation()
    {
        var snapshots = Daily(new(2025, 3, 1), new(2025, 3, 10), 120m)
            .Concat(Daily(new(2025, 3, 11), new(2025, 3, 20), 125.5m))
            .Concat(Daily(new(2025, 3, 21), new(2025, 3, 31), 130m)).ToList();
        Assert.Equal(31, snapshots.Count);
        var usage = new[]
        {
            Usage(HangzhouSeller, "hangzhou", UsageKind.Picking, 0.5m, "2025-03-03T09:00:00+08:00"),
            Usage(HangzhouSeller, "hangzhou", UsageKind.Picking, 1m, "2025-03-12T09:00:00+08:00"),
            Usage(HangzhouSeller, "hangzhou", UsageKind.Picking, 1233m, "2025-03-31T23:59:00+08:00"),
            Usage(HangzhouSeller, "hangzhou", UsageKind.Return, 12m, "2025-03-20T10:00:00+08:00"),
        };
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 3), new(2025, 4, 1), usage, snapshots,
            [new ClaimCredit("CLM-1", "ORD-9", 2345.67m)]));

        Assert.Collection(invoice.Lines,
            l => Assert.Equal((InvoiceCalculator.StorageKind, 3885m, 18.00m, 2255.81m), (l.Kind, l.Quantity, l.Rate, l.Amount)),
            l => Assert.Equal((UsageKind.Picking, 1235m, 0.40m, 494.00m, "piece"), (l.Kind, l.Quantity, l.Rate, l.Amount, l.Unit)),
            l => Assert.Equal((UsageKind.Return, 12m, 5.00m, 60.00m, "order"), (l.Kind, l.Quantity, l.Rate, l.Amount, l.Unit)),
            l => Assert.Equal((InvoiceCalculator.ClaimCreditKind, -2345.67m), (l.Kind, l.Amount)));
        Assert.Equal("Storage 2025-03-01..2025-03-31: 18.00 CNY per m³ per month × 3885.0 m³·days ÷ 31 days", invoice.Lines[0].Description);
        Assert.Equal(464.14m, invoice.Total);
        Assert.Empty(invoice.Flags);
        Assert.Equal(new DateOnly(2025, 4, 7), invoice.SettlementOn);
    }

    /// <summary>
    /// Dongguan, June 2025 (30 days); a new card from 2025-06-16: storage 16.50 (was 15.00), picking 0.45 (was 0.40).
    /// 20.3 m³ every day.
    /// storage 1–15:  15.00 × (15 × 20.3 = 304.5) ÷ 30 = 4,567.5 ÷ 30 = 152.25
    /// storage 16–30: 16.50 × 304.5 ÷ 30 = 5,024.25 ÷ 30 = 167.475 → half away from zero → 167.48
    /// picking 10 pieces on 2025-06-15 23:30 (+08:00) at 0.40 = 4.00;
    /// picking 10 pieces at 2025-06-15T16:30Z = 2025-06-16 00:30 in Asia/Shanghai, so the new 0.45 = 4.50.
    /// total: 152.25 + 167.48 + 4.00 + 4.50 = 328.23; issued Tue 2025-07-01 → T+3 = Fri 2025-07-04.
    /// </summary>
    [Fact]
    public void BIL_1_4_dongguan_rate_change_on_the_16th_applies_the_rate_in_force_each_day()
    {
        var rates = new Dictionary<string, decimal>(PublishedRates.UsageRates) { [UsageKind.Picking] = 0.45m };
        var cards = new RateCardHistory("dongguan", [.. PublishedRates.Cards, new RateCard("dongguan", new(2025, 6, 16), 16.50m, rates)]);
        var usage = new[]
        {
            Usage(DongguanSeller, "dongguan", UsageKind.Picking, 10m, "2025-06-15T23:30:00+08:00", "a"),
            Usage(DongguanSeller, "dongguan", UsageKind.Picking, 10m, "2025-06-15T16:30:00Z", "b"),
        };
        var invoice = Bill(new InvoiceInput(DongguanSeller, "dongguan", Period(2025, 6), new(2025, 7, 1), usage,
            [.. Daily(new(2025, 6, 1), new(2025, 6, 30), 20.3m)], []), cards);

        Assert.Collection(invoice.Lines,
            l => Assert.Equal((InvoiceCalculator.StorageKind, 304.5m, 15.00m, 152.25m, new DateOnly(2024, 1, 1)), (l.Kind, l.Quantity, l.Rate, l.Amount, l.RateEffectiveFrom!.Value)),
            l => Assert.Equal((InvoiceCalculator.StorageKind, 304.5m, 16.50m, 167.48m, new DateOnly(2025, 6, 16)), (l.Kind, l.Quantity, l.Rate, l.Amount, l.RateEffectiveFrom!.Value)),
            l => Assert.Equal((UsageKind.Picking, 10m, 0.40m, 4.00m), (l.Kind, l.Quantity, l.Rate, l.Amount)),
            l => Assert.Equal((UsageKind.Picking, 10m, 0.45m, 4.50m), (l.Kind, l.Quantity, l.Rate, l.Amount)));
        Assert.Equal(328.23m, invoice.Total);
        Assert.Equal(new DateOnly(2025, 7, 4), invoice.SettlementOn);
    }

    /// <summary>
    /// Hangzhou, February 2025 (28 days). Last January snapshot (Jan 31): 50 m³. February: 40 m³ every day
    /// except Feb 1 and Feb 14, which have no snapshot.
    /// Feb 1 carries Jan 31's 50 forward; Feb 14 carries Feb 13's 40 forward.
    /// Σ = 50 + 27 × 40 = 1,130 m³·days; 18.00 × 1,130 ÷ 28 = 20,340 ÷ 28 = 726.428… → 726.43, flagged for Feb 1 and 14.
    /// Issued Sat 2025-03-01 → Mon 3 (1), Tue 4 (2), Wed 5 (3) → 2025-03-05.
    /// </summary>
    [Fact]
    public void BIL_4_missing_snapshot_day_carries_the_previous_day_forward_and_is_flagged()
    {
        var snapshots = new List<StorageSnapshot> { new(new(2025, 1, 31), 50m), new(new(2025, 1, 20), 999m) };
        snapshots.AddRange(Daily(new(2025, 2, 2), new(2025, 2, 13), 40m));
        snapshots.AddRange(Daily(new(2025, 2, 15), new(2025, 2, 28), 40m));
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 2), new(2025, 3, 1), [], snapshots, []));

        var storage = Assert.Single(invoice.Lines);
        Assert.Equal((1130m, 726.43m), (storage.Quantity, storage.Amount));
        var flag = Assert.Single(invoice.Flags);
        Assert.Equal(BillingCodes.StorageCarriedForward, flag.Code);
        Assert.Equal([new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 14)], flag.Dates);
        Assert.Equal(new DateOnly(2025, 3, 5), invoice.SettlementOn);
    }

    /// <summary>First snapshot ever on Feb 3 (10 m³, every day after): Feb 1–2 count 0 and are flagged; Σ = 26 × 10 = 260; 18 × 260 ÷ 28 = 167.142… → 167.14.</summary>
    [Fact]
    public void BIL_4_days_before_the_first_snapshot_count_zero_and_are_flagged()
    {
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 2), new(2025, 3, 3), [],
            [.. Daily(new(2025, 2, 3), new(2025, 2, 28), 10m)], []));

        Assert.Equal(167.14m, Assert.Single(invoice.Lines).Amount);
        var flag = Assert.Single(invoice.Flags);
        Assert.Equal(BillingCodes.StorageNoEarlierSnapshot, flag.Code);
        Assert.Equal([new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 2)], flag.Dates);
    }

    [Fact]
    public void BIL_4_no_snapshot_at_all_gives_no_storage_line()
    {
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 2), new(2025, 3, 3),
            [Usage(HangzhouSeller, "hangzhou", UsageKind.Labelling, 3m, "2025-02-10T10:00:00+08:00")], [], []));

        var line = Assert.Single(invoice.Lines);
        Assert.Equal((UsageKind.Labelling, 0.45m), (line.Kind, line.Amount));
        Assert.Empty(invoice.Flags);
    }

    /// <summary>Claims only: −2,345.67 and nothing to charge → total −2,345.67, flagged as a credit balance.</summary>
    [Fact]
    public void BIL_9_claim_credit_larger_than_the_charges_is_flagged_as_credit_balance()
    {
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 3), new(2025, 4, 1), [], [],
            [new ClaimCredit("CLM-1", "ORD-9", 2345.67m)]));

        Assert.Equal(-2345.67m, invoice.Total);
        Assert.Equal(BillingCodes.CreditBalance, Assert.Single(invoice.Flags).Code);
    }

    [Theory]
    [InlineData("tianjin")]
    [InlineData("xian")]
    public void H_1_hub_without_published_storage_rate_cannot_be_billed(string hub)
    {
        var seller = hub == "tianjin" ? "TSN-000001" : "XIY-000001";
        var result = InvoiceCalculator.Compute(new InvoiceInput(seller, hub, Period(2025, 3), new(2025, 4, 1),
            [Usage(seller, hub, UsageKind.Picking, 5m, "2025-03-03T09:00:00+08:00")], [.. Daily(new(2025, 3, 1), new(2025, 3, 31), 1m)], []),
            Published(hub), Calendar);

        Assert.False(result.Billed);
        Assert.Equal("H-1", result.ErrorCode);
        Assert.Contains(hub, result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("2025-03-01", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void H_1_a_card_set_mid_month_bills_from_the_next_full_month_only()
    {
        var cards = new RateCardHistory("tianjin", [new RateCard("tianjin", new(2025, 3, 10), 12.00m, PublishedRates.UsageRates)]);
        InvoiceInput Input(int month) => new("TSN-000001", "tianjin", Period(2025, month), new(2025, month + 1, 1), [], [], []);

        var march = InvoiceCalculator.Compute(Input(3), cards, Calendar);
        var april = InvoiceCalculator.Compute(Input(4), cards, Calendar);

        Assert.Equal("H-1", march.ErrorCode);
        Assert.Contains("and 8 more days", march.ErrorMessage, StringComparison.Ordinal);
        Assert.True(april.Billed);
    }

    [Fact]
    public void H_1_published_cards_exist_only_for_hangzhou_and_dongguan_with_the_article_rates()
    {
        Assert.Equal(18.00m, Published("hangzhou").InForceOn(new(2024, 1, 1))!.StoragePerCubicMetreMonth);
        Assert.Equal(15.00m, Published("dongguan").InForceOn(new(2030, 1, 1))!.StoragePerCubicMetreMonth);
        Assert.Null(Published("hangzhou").InForceOn(new(2023, 12, 31)));
        Assert.Empty(Published("tianjin").Cards);
        Assert.Empty(Published("xian").Cards);
        var card = Published("hangzhou").Cards[0];
        Assert.Equal((0.30m, 0.20m, 0.40m), (card.RateOf(UsageKind.InboundQc), card.RateOf(UsageKind.Shelving), card.RateOf(UsageKind.Picking)));
        Assert.Equal((0.15m, 0.80m, 5.00m), (card.RateOf(UsageKind.Labelling), card.RateOf(UsageKind.Assembly), card.RateOf(UsageKind.Return)));
    }

    [Theory]
    [InlineData(0.5, 1)]
    [InlineData(1, 1)]
    [InlineData(1.0001, 2)]
    [InlineData(1233, 1233)]
    [InlineData(0.000001, 1)]
    public void BIL_2_each_record_is_rounded_up_to_whole_pieces(double quantity, int pieces)
        => Assert.Equal(pieces, InvoiceCalculator.WholeUnits((decimal)quantity));

    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("0.0049999", "0.00")]
    [InlineData("2.675", "2.68")]
    [InlineData("167.475", "167.48")]
    public void BIL_5_rounding_is_half_away_from_zero_to_the_cent(string amount, string rounded)
        => Assert.Equal(decimal.Parse(rounded, System.Globalization.CultureInfo.InvariantCulture),
            Money.Round(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Storage: 3 × 1 m³ in a 31-day month at 18.00 → 54 ÷ 31 = 1.741… → 1.74 per line; picking 1 × 0.40; assembly 1 × 0.80: each rounded, then added.</summary>
    [Fact]
    public void BIL_5_total_is_the_sum_of_rounded_lines()
    {
        var invoice = Bill(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2025, 3), new(2025, 4, 1),
            [Usage(HangzhouSeller, "hangzhou", UsageKind.Assembly, 0.2m, "2025-03-05T10:00:00+08:00")],
            [new StorageSnapshot(new(2025, 3, 1), 1m), new StorageSnapshot(new(2025, 3, 2), 0m)], []));

        // Mar 1: 1 m³, Mar 2: 0, Mar 3..31 carried forward 0 → Σ = 1; 18 × 1 ÷ 31 = 0.5806… → 0.58; assembly 1 × 0.80.
        Assert.Equal([0.58m, 0.80m], invoice.Lines.Select(l => l.Amount));
        Assert.Equal(1.38m, invoice.Total);
        Assert.Equal(BillingCodes.StorageCarriedForward, Assert.Single(invoice.Flags).Code);
    }

    [Theory]
    [InlineData("2025-01-27", "2025-02-07")] // Mon; Spring Festival Jan 28 – Feb 4 off → Wed 5 (1), Thu 6 (2), Fri 7 (3)
    [InlineData("2025-09-26", "2025-09-30")] // Fri; Sat 27 off, Sun 28 adjusted working day (1), Mon 29 (2), Tue 30 (3)
    [InlineData("2025-03-03", "2025-03-06")] // Mon; plain week → Thu
    [InlineData("2025-03-07", "2025-03-12")] // Fri; weekend off → Mon 10 (1), Tue 11 (2), Wed 12 (3)
    public void BIL_7_settlement_is_three_working_days_after_issue(string issuedOn, string settlementOn)
    {
        var result = InvoiceCalculator.Compute(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2024, 12), DateOnly.Parse(issuedOn, System.Globalization.CultureInfo.InvariantCulture), [], [], []),
            Published("hangzhou"), Calendar);
        Assert.Equal(DateOnly.Parse(settlementOn, System.Globalization.CultureInfo.InvariantCulture), result.Invoice!.SettlementOn);
    }

    [Fact]
    public void BIL_7_settlement_outside_the_calendar_data_is_an_error_not_a_guess()
    {
        var result = InvoiceCalculator.Compute(new InvoiceInput(HangzhouSeller, "hangzhou", Period(2026, 12), new(2026, 12, 30), [], [], []),
            Published("hangzhou"), Calendar);
        Assert.Equal(CalendarQueries.OutOfRangeCode, result.ErrorCode);
    }
}
