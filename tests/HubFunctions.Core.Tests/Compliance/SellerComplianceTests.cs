using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Compliance;

/// <summary>The freeze/unfreeze service (CMP-4, CMP-6) with an in-memory seller store that can lose races.</summary>
public sealed class SellerComplianceTests
{
    private static readonly ComplianceActor Sweep = ComplianceActor.System("compliance-sweep");
    private static readonly ComplianceActor Reviewer = ComplianceActor.Reviewer("reviewer-li");
    private static readonly FreezeReason Customs = FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1));
    private static readonly FreezeReason TaxM = FreezeReason.TaxRatingDropped(TaxRating.M);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero));
    private readonly MemoryStore _store = new();

    private static Seller Active(string id = "seller-1") => new(id, "hangzhou", "HGH-000001", SellerStatus.Active, SellerCategories.BrandTrader, "示例贸易有限公司",
        "914403001922038216", TaxRating.A, new DateOnly(2024, 1, 1), []);

    private SellerCompliance Service(IIdSource? ids = null) => new(_store, new OptimisticRetry(new NoJitter()), ids ?? new CountingIds(), _clock);

    [Fact]
    public async Task CMP_6_a_freeze_commits_the_seller_its_entry_and_one_frozen_event_together()
    {
        _store.Add(Active());

        var result = await Service().FreezeAsync("seller-1", [Customs], Sweep, CancellationToken.None);

        Assert.Equal(FreezeOutcome.Frozen, result.Outcome);
        var commit = Assert.Single(_store.Commits);
        Assert.Equal(SellerStatus.Frozen, commit.After.Status);
        Assert.Equal((1, ComplianceAction.Freeze, Sweep), (commit.Entry.Sequence, commit.Entry.Action, commit.Entry.Actor));
        var e = Assert.Single(commit.Events);
        Assert.Equal((EventTypes.SellerFrozen, "sellers/seller-1", "seller-1", "hangzhou"), (e.Type, e.Subject, e.SellerId, e.Hub));
        Assert.Equal("customs-declaration", e.Data.GetProperty("reasons")[0].GetProperty("documentType").GetString());
        Assert.Equal("compliance-sweep", e.Data.GetProperty("actor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task CMP_6_a_lost_race_is_read_again_and_both_freezes_end_up_recorded()
    {
        _store.Add(Active());
        var service = Service();
        _store.BeforeNextCommit = () => _store.Commit(_store.Get("seller-1")!, SellerFreeze.Freeze(_store.Get("seller-1")!.Seller, 0, [TaxM], Sweep, _clock.GetUtcNow(), "CLOG-other")!);

        var result = await service.FreezeAsync("seller-1", [Customs], ComplianceActor.Reviewer("r"), CancellationToken.None);

        Assert.Equal(FreezeOutcome.Frozen, result.Outcome);
        Assert.Equal([FreezeRules.TaxRating, FreezeRules.DocumentExpired], _store.Get("seller-1")!.Seller.FreezeReasons.Select(r => r.Rule));
        Assert.Equal([(1, SellerStatus.Active), (2, SellerStatus.Frozen)], _store.Log("seller-1").Select(e => (e.Sequence, e.Before)));
        Assert.Equal(1, _store.Conflicts);
    }

    [Fact]
    public async Task CMP_6_a_retry_of_the_same_operation_answers_with_its_first_entry_and_records_nothing_again()
    {
        _store.Add(Active());
        var first = await Service(new CountingIds()).FreezeAsync("seller-1", [Customs], Sweep, CancellationToken.None);

        // The same operation again (ids derive from it, so the same entry id is drawn).
        var retry = await Service(new CountingIds()).FreezeAsync("seller-1", [Customs], Sweep, CancellationToken.None);
        var other = await Service(new CountingIds(100)).FreezeAsync("seller-1", [Customs], Sweep, CancellationToken.None);

        Assert.Equal(FreezeOutcome.Frozen, retry.Outcome);
        Assert.Equal(first.Entry, retry.Entry);
        Assert.Equal(FreezeOutcome.AlreadyFrozen, other.Outcome);
        Assert.Null(other.Entry);
        Assert.Single(_store.Commits);
    }

    [Fact]
    public async Task CMP_4_an_unfreeze_refused_stores_nothing_and_an_allowed_one_is_recorded_with_the_reviewer()
    {
        _store.Add(Active());
        await Service().FreezeAsync("seller-1", [Customs, TaxM], Sweep, CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(3));

        var refused = await Service(new CountingIds(10)).UnfreezeAsync("seller-1", Reviewer,
            new UnfreezeEvidence(new Dictionary<string, DateTimeOffset> { [AdmissionDocuments.CustomsDeclaration] = _clock.GetUtcNow() }, TaxRating.M), CancellationToken.None);
        Assert.Equal(UnfreezeOutcome.Refused, refused.Outcome);
        Assert.Equal(["tax-rating: still M (A or B needed)"], refused.Missing);
        Assert.Single(_store.Commits);

        var done = await Service(new CountingIds(20)).UnfreezeAsync("seller-1", Reviewer,
            new UnfreezeEvidence(new Dictionary<string, DateTimeOffset> { [AdmissionDocuments.CustomsDeclaration] = _clock.GetUtcNow() }, TaxRating.A), CancellationToken.None);
        Assert.Equal(UnfreezeOutcome.Unfrozen, done.Outcome);
        Assert.Equal(SellerStatus.Active, _store.Get("seller-1")!.Seller.Status);
        var unfrozen = Assert.Single(_store.Commits[^1].Events);
        Assert.Equal((EventTypes.SellerUnfrozen, "reviewer-li"), (unfrozen.Type, unfrozen.Data.GetProperty("by").GetString()));
        Assert.Equal([ComplianceAction.Freeze, ComplianceAction.Unfreeze], _store.Log("seller-1").Select(e => e.Action));

        var again = await Service(new CountingIds(30)).UnfreezeAsync("seller-1", Reviewer, UnfreezeEvidence.None, CancellationToken.None);
        Assert.Equal(UnfreezeOutcome.NotFrozen, again.Outcome);
    }

    [Fact]
    public async Task CMP_6_an_unknown_seller_is_answered_as_such_and_nothing_is_stored()
    {
        Assert.Equal(FreezeOutcome.UnknownSeller, (await Service().FreezeAsync("nobody", [Customs], Sweep, CancellationToken.None)).Outcome);
        Assert.Equal(FreezeOutcome.UnknownSeller, (await Service().FreezeAsync("bad|id", [Customs], Sweep, CancellationToken.None)).Outcome);
        Assert.Equal(UnfreezeOutcome.UnknownSeller, (await Service().UnfreezeAsync("nobody", Reviewer, UnfreezeEvidence.None, CancellationToken.None)).Outcome);
        Assert.Empty(_store.Commits);
    }

    private sealed class MemoryStore : ISellerComplianceStore
    {
        private readonly Dictionary<string, (Seller Seller, int Version)> _sellers = [];
        private readonly Dictionary<string, List<ComplianceLogEntry>> _logs = [];

        public List<(Seller After, ComplianceLogEntry Entry, IReadOnlyList<HubEvent> Events)> Commits { get; } = [];

        public int Conflicts { get; private set; }

        public Action? BeforeNextCommit { get; set; }

        public void Add(Seller seller) => _sellers[seller.SellerId] = (seller, 1);

        public SellerComplianceState? Get(string sellerId)
            => _sellers.TryGetValue(sellerId, out var s) ? new SellerComplianceState(s.Seller, Log(sellerId).Count, s.Version.ToString()) : null;

        public List<ComplianceLogEntry> Log(string sellerId) => _logs.TryGetValue(sellerId, out var log) ? log : [];

        public void Commit(SellerComplianceState before, ComplianceChange change)
        {
            var current = _sellers[before.Seller.SellerId];
            if (current.Version.ToString() != before.ETag)
            {
                Conflicts++;
                throw new ConcurrencyConflictException("changed meanwhile");
            }

            _sellers[before.Seller.SellerId] = (change.After, current.Version + 1);
            _logs[before.Seller.SellerId] = [.. Log(before.Seller.SellerId), change.Entry];
        }

        public Task<SellerComplianceState?> GetAsync(string sellerId, CancellationToken cancellationToken) => Task.FromResult(Get(sellerId));

        public Task CommitAsync(SellerComplianceState before, Seller after, ComplianceLogEntry entry, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        {
            var race = BeforeNextCommit;
            BeforeNextCommit = null;
            race?.Invoke();
            Commit(before, new ComplianceChange(after, entry));
            Commits.Add((after, entry, events));
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ComplianceLogEntry>> ReadLogAsync(string sellerId, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<ComplianceLogEntry>>(Log(sellerId));
    }

    /// <summary>Deterministic ids: the same start draws the same ids, as a retry of one operation does.</summary>
    private sealed class CountingIds(int start = 0) : IIdSource
    {
        private int _n = start;

        public string NewId(string prefix) => $"{prefix}-{++_n}";

        public Guid NewGuid() => new(++_n, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0]);
    }

    private sealed class NoJitter : IRandomSource
    {
        public int Next(int minInclusive, int maxExclusive) => minInclusive;
    }
}
