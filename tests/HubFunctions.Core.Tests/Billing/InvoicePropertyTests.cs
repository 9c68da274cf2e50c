using CsCheck;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Calendar;
using static HubFunctions.Core.Tests.Billing.BillingTestData;

namespace HubFunctions.Core.Tests.Billing;

/// <summary>BIL-2/BIL-5 properties of the calculator over random months, cards, usage, snapshots and claims.</summary>
public sealed class InvoicePropertyTests
{
    private static readonly ChinaWorkingCalendar Calendar = ChinaWorkingCalendar.Default;
    private static readonly BillingPeriod March = Period(2025, 3);

    /// <summary>A second Hangzhou card from a random day of March with random rates (up to 4 decimals).</summary>
    private static readonly Gen<RateCardHistory> GenCards =
        Gen.Select(Gen.Int[1, 40], Gen.Int[0, 500_000].Array[7], (day, r) =>
        {
            var cards = PublishedRates.Cards.ToList();
            if (day <= 31)
            {
                var rates = UsageKind.All.Select((k, i) => (k.Code, r[i] / 10_000m)).ToDictionary(x => x.Code, x => x.Item2);
                cards.Add(new RateCard("hangzhou", new DateOnly(2025, 3, day), r[6] / 1_000m, rates));
            }

            return new RateCardHistory("hangzhou", cards);
        });

    private static readonly Gen<decimal> GenQuantity = Gen.Int[1, 5_000_000].Select(n => n / 1_000m);

    private static readonly Gen<UsageRecord> GenUsage =
        Gen.Select(Gen.Int[0, UsageKind.All.Count - 1], GenQuantity, Gen.Int[0, (31 * 24 * 60) - 1], Gen.Int[0, int.MaxValue], (k, q, minute, id) =>
            new UsageRecord($"u{id}", HangzhouSeller, "hangzhou", UsageKind.All[k].Code, q,
                new DateTimeOffset(2025, 3, 1, 0, 0, 0, ChinaTime.Offset).AddMinutes(minute)));

    private static readonly Gen<StorageSnapshot[]> GenSnapshots =
        Gen.Select(Gen.Bool.Array[32], Gen.Int[0, 10_000_000].Array[32], (present, m3) =>
            Enumerable.Range(0, 32).Where(i => present[i])
                .Select(i => new StorageSnapshot(new DateOnly(2025, 2, 28).AddDays(i), m3[i] / 1_000m)).ToArray());

    private static readonly Gen<ClaimCredit[]> GenClaims =
        Gen.Int[1, 100_000_000].Select(v => new ClaimCredit($"C{v}", "O", v / 100m)).Array[0, 3]
            .Select(cs => cs.DistinctBy(c => c.ClaimId).ToArray());

    private static InvoiceDraft Bill(RateCardHistory cards, IReadOnlyList<UsageRecord> usage, IReadOnlyList<StorageSnapshot> snapshots, IReadOnlyList<ClaimCredit> claims)
        => InvoiceCalculator.Compute(new InvoiceInput(HangzhouSeller, "hangzhou", March, new(2025, 4, 1), usage, snapshots, claims), cards, Calendar).Invoice!;

    [Fact]
    public void BIL_5_total_always_equals_the_sum_of_rounded_lines()
    {
        Gen.Select(GenCards, GenUsage.Array[0, 30], GenSnapshots, GenClaims).Sample((cards, usage, snapshots, claims) =>
        {
            var invoice = Bill(cards, usage, snapshots, claims);
            Assert.All(invoice.Lines, l => Assert.Equal(Money.Round(l.Amount), l.Amount));
            Assert.Equal(invoice.Lines.Sum(l => l.Amount), invoice.Total);
        });
    }

    [Fact]
    public void BIL_2_splitting_a_usage_record_in_two_never_lowers_the_charge()
    {
        Gen.Select(GenCards, GenUsage.Array[0, 10], GenUsage, Gen.Int[1, 999]).Sample((cards, others, record, per1000) =>
        {
            var first = Math.Round(record.Quantity * per1000 / 1000m, 3);
            if (first <= 0m || first >= record.Quantity)
            {
                return;
            }

            var whole = Bill(cards, [.. others, record], [], []);
            var split = Bill(cards, [.. others, record with { UsageId = "x1", Quantity = first }, record with { UsageId = "x2", Quantity = record.Quantity - first }], [], []);
            Assert.True(split.Total >= whole.Total, $"split {split.Total} < whole {whole.Total}");
        });
    }

    [Fact]
    public void BIL_5_permuting_records_snapshots_and_claims_never_changes_the_invoice()
    {
        Gen.Select(GenCards, GenUsage.Array[0, 30], GenSnapshots, GenClaims, Gen.Int.Array[64]).Sample((cards, usage, snapshots, claims, keys) =>
        {
            var a = Bill(cards, usage, snapshots, claims);
            var b = Bill(cards,
                [.. usage.Select((u, i) => (u, k: keys[i % 64] ^ i)).OrderBy(x => x.k).Select(x => x.u)],
                [.. snapshots.Reverse()],
                [.. claims.Reverse()]);
            Assert.Equal(a.Lines, b.Lines);
            Assert.Equal(a.Total, b.Total);
            Assert.Equal(a.Flags.Select(f => (f.Code, string.Join(',', f.Dates))), b.Flags.Select(f => (f.Code, string.Join(',', f.Dates))));
        });
    }
}
