using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Compliance;

/// <summary>CMP-5: the monthly re-check's decisions and its handler with in-memory ports.</summary>
public sealed class TaxRecheckTests
{
    private const string Month = "2026-12";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero)); // 2026-12-01 01:00 +08:00
    private readonly MemorySellers _sellers = new();
    private readonly MemoryQueue _queue = new();
    private readonly MemoryFreeze _freeze = new();
    private readonly MemoryAuthority _authority = new();

    private TaxRecheckHandler Handler(int pageSize = 3) => new(_sellers, _authority, _queue, _freeze, new TaxRecheckSettings { PageSize = pageSize, RetryDelay = TimeSpan.FromHours(1) },
        new OptimisticRetry(new NoJitter()), new RandomIds(), _clock);

    private static Seller Seller(string id, TaxRating? rating = TaxRating.A, SellerStatus status = SellerStatus.Active)
        => new(id, "hangzhou", "HGH-000001", status, "brand-trader", "示例贸易有限公司", "914403001922038216", rating, new DateOnly(2024, 1, 1), []);

    [Theory]
    [InlineData(TaxRating.A, TaxRating.M)]
    [InlineData(TaxRating.B, TaxRating.M)]
    [InlineData(TaxRating.A, TaxRating.D)]
    [InlineData(TaxRating.M, TaxRating.C)]
    [InlineData(null, TaxRating.C)]
    public void CMP_5_a_drop_to_M_C_or_D_freezes(TaxRating? stored, TaxRating answered)
        => Assert.Equal(TaxRecheckOutcome.Freeze, TaxRecheck.Decide(stored, "2026-11", Month, TaxRatingResult.Rated(answered)));

    [Theory]
    [InlineData(TaxRating.A, TaxRating.B, TaxRecheckOutcome.Changed)]
    [InlineData(TaxRating.M, TaxRating.A, TaxRecheckOutcome.Changed)]
    [InlineData(TaxRating.D, TaxRating.C, TaxRecheckOutcome.Changed)]
    [InlineData(TaxRating.M, TaxRating.M, TaxRecheckOutcome.Unchanged)]
    [InlineData(TaxRating.A, TaxRating.A, TaxRecheckOutcome.Unchanged)]
    public void CMP_5_no_drop_into_M_C_or_D_does_not_freeze(TaxRating stored, TaxRating answered, TaxRecheckOutcome expected)
        => Assert.Equal(expected, TaxRecheck.Decide(stored, null, Month, TaxRatingResult.Rated(answered)));

    [Fact]
    public void CMP_5_no_answer_is_a_retry_and_a_seller_checked_this_month_is_skipped()
    {
        Assert.Equal(TaxRecheckOutcome.Retry, TaxRecheck.Decide(TaxRating.A, null, Month, TaxRatingResult.Unavailable("down")));
        Assert.Equal(TaxRecheckOutcome.AlreadyChecked, TaxRecheck.Decide(TaxRating.A, Month, Month, TaxRatingResult.Rated(TaxRating.D)));
        Assert.Equal("2026-12", TaxRecheck.MonthOf(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-11", TaxRecheck.MonthOf(new DateTimeOffset(2026, 11, 30, 15, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public async Task CMP_5_the_fan_out_queues_one_check_per_active_seller_a_page_at_a_time()
    {
        for (var i = 0; i < 8; i++)
        {
            _sellers.Add(Seller($"s{i}", status: i % 4 == 3 ? SellerStatus.Frozen : SellerStatus.Active));
        }

        var handler = Handler(pageSize: 2);
        Assert.Equal(Month, await handler.StartAsync(CancellationToken.None));
        var checks = new List<string>();
        var pages = 0;
        while (_queue.Messages.TryDequeue(out var m))
        {
            if (m.Message.IsSellerCheck)
            {
                checks.Add(m.Message.SellerId!);
            }
            else
            {
                pages++;
                await handler.FanOutPageAsync(m.Message, CancellationToken.None);
            }
        }

        Assert.Equal(["s0", "s1", "s2", "s4", "s5", "s6"], checks);
        Assert.Equal(3, pages);
        Assert.True(_sellers.LargestPage <= 2);
    }

    [Fact]
    public async Task CMP_5_a_drop_to_M_freezes_with_reason_tax_rating_then_records_the_rating_with_an_event()
    {
        _sellers.Add(Seller("s1", TaxRating.B));
        _authority.Rating = TaxRatingResult.Rated(TaxRating.M);

        Assert.Equal(TaxRecheckOutcome.Freeze, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));

        Assert.Equal([("s1", TaxRating.M)], _freeze.Frozen);
        Assert.Equal((TaxRating.M, Month), (_sellers.Get("s1").Seller.TaxRating, _sellers.Get("s1").CheckedMonth));
        var e = Assert.Single(_sellers.Events);
        Assert.Equal((TaxRecheck.RatingChangedEvent, "B", "M"), (e.Type, e.Data.GetProperty("previous").GetString(), e.Data.GetProperty("rating").GetString()));
    }

    [Fact]
    public async Task CMP_5_a_check_that_died_after_freezing_freezes_again_and_records_when_redelivered()
    {
        _sellers.Add(Seller("s1", TaxRating.A));
        _authority.Rating = TaxRatingResult.Rated(TaxRating.D);
        _sellers.FailNextRecord = true;

        await Assert.ThrowsAsync<IOException>(() => Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
        Assert.Equal(TaxRating.A, _sellers.Get("s1").Seller.TaxRating);

        Assert.Equal(TaxRecheckOutcome.Freeze, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
        Assert.Equal([("s1", TaxRating.D), ("s1", TaxRating.D)], _freeze.Frozen);
        Assert.Equal(TaxRating.D, _sellers.Get("s1").Seller.TaxRating);
        Assert.Equal(TaxRecheckOutcome.AlreadyChecked, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
    }

    [Fact]
    public async Task CMP_5_an_unavailable_answer_changes_nothing_and_is_queued_again_while_the_month_lasts()
    {
        _sellers.Add(Seller("s1", TaxRating.B));
        _authority.Rating = TaxRatingResult.Unavailable("down");

        Assert.Equal(TaxRecheckOutcome.Retry, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
        Assert.Equal((TaxRating.B, (string?)null, 0), (_sellers.Get("s1").Seller.TaxRating, _sellers.Get("s1").CheckedMonth, _sellers.Events.Count));
        Assert.Empty(_freeze.Frozen);
        var retry = Assert.Single(_queue.Messages);
        Assert.Equal((new TaxRecheckMessage(Month, "s1"), TimeSpan.FromHours(1)), (retry.Message, retry.Delay));

        // The month is over: next month's run asks again; this one stops retrying.
        _queue.Messages.Clear();
        _clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal(TaxRecheckOutcome.Retry, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
        Assert.Empty(_queue.Messages);
    }

    [Fact]
    public async Task CMP_5_an_unchanged_rating_records_the_check_without_an_event()
    {
        _sellers.Add(Seller("s1", TaxRating.A));
        _authority.Rating = TaxRatingResult.Rated(TaxRating.A);
        Assert.Equal(TaxRecheckOutcome.Unchanged, await Handler().CheckAsync(new TaxRecheckMessage(Month, "s1"), CancellationToken.None));
        Assert.Equal(Month, _sellers.Get("s1").CheckedMonth);
        Assert.Empty(_sellers.Events);
        Assert.Empty(_freeze.Frozen);
    }

    private sealed class MemorySellers : ISellerTaxRatings
    {
        private readonly SortedDictionary<string, SellerTaxRecord> _rows = new(StringComparer.Ordinal);
        private int _version;

        public List<HubEvent> Events { get; } = [];

        public int LargestPage { get; private set; }

        public bool FailNextRecord { get; set; }

        public void Add(Seller s) => _rows[s.SellerId] = new SellerTaxRecord(s, null, $"v{++_version}");

        public SellerTaxRecord Get(string id) => _rows[id];

        public Task<SellerTaxRecord?> GetAsync(string sellerId, CancellationToken cancellationToken) => Task.FromResult(_rows.GetValueOrDefault(sellerId));

        public Task RecordAsync(string sellerId, TaxRating rating, string month, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        {
            if (FailNextRecord)
            {
                FailNextRecord = false;
                throw new IOException("the process died");
            }

            var row = _rows[sellerId];
            if (row.ETag != etag)
            {
                throw new ConcurrencyConflictException("changed");
            }

            _rows[sellerId] = new SellerTaxRecord(row.Seller with { TaxRating = rating }, month, $"v{++_version}");
            Events.AddRange(events);
            return Task.CompletedTask;
        }

        public Task<ActiveSellerPage> ActivePageAsync(string? continuation, int pageSize, CancellationToken cancellationToken)
        {
            var active = _rows.Values.Where(r => r.Seller.Status == SellerStatus.Active && string.CompareOrdinal(r.Seller.SellerId, continuation ?? "") >= 0).Take(pageSize + 1).ToList();
            var page = active.Take(pageSize).Select(r => r.Seller.SellerId).ToList();
            LargestPage = Math.Max(LargestPage, page.Count);
            return Task.FromResult(new ActiveSellerPage(page, active.Count > pageSize ? active[pageSize].Seller.SellerId : null));
        }
    }

    private sealed class MemoryQueue : ITaxRecheckQueue
    {
        public Queue<(TaxRecheckMessage Message, TimeSpan Delay)> Messages { get; } = new();

        public Task EnqueueAsync(IReadOnlyList<TaxRecheckMessage> messages, TimeSpan delay, CancellationToken cancellationToken)
        {
            foreach (var m in messages)
            {
                Messages.Enqueue((m, delay));
            }

            return Task.CompletedTask;
        }
    }

    private sealed class MemoryFreeze : ITaxRatingFreeze
    {
        public List<(string, TaxRating)> Frozen { get; } = [];

        public Task FreezeAsync(string sellerId, TaxRating rating, CancellationToken cancellationToken)
        {
            Frozen.Add((sellerId, rating));
            return Task.CompletedTask;
        }
    }

    private sealed class MemoryAuthority : ITaxCreditService
    {
        public TaxRatingResult Rating { get; set; } = TaxRatingResult.Rated(TaxRating.A);

        public Task<TaxRatingResult> GetRatingAsync(string unifiedSocialCreditCode, CancellationToken cancellationToken) => Task.FromResult(Rating);
    }

    private sealed class RandomIds : IIdSource
    {
        private int _n;

        public string NewId(string prefix) => $"{prefix}-{++_n:D20}";

        public Guid NewGuid() => new(++_n, 0, 0, new byte[8]);
    }

    private sealed class NoJitter : IRandomSource
    {
        public int Next(int minInclusive, int maxExclusive) => minInclusive;
    }
}
