using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Billing;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// BIL-2 usage ids (one record per hub and usage id) under a race: a request of two records whose second id is claimed by another
/// request (another record) between its check and its claims is refused with 409 usage-conflict and leaves nothing behind, not
/// even the claim of its first id, which stays free for any record.
/// </summary>
public sealed class UsageClaimRaceTests
{
    private static readonly DateTimeOffset Now = new(2025, 4, 10, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task BIL_2_a_request_refused_for_a_usage_id_claimed_meanwhile_releases_the_claims_it_wrote_and_no_other()
    {
        var paused = new PausedClaims("race-x");
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now),
            services: s => s.AddSingleton<IUsageIds>(sp => paused.Wrap(ActivatorUtilities.CreateInstance<TableUsageIds>(sp))));
        var seller = await SeedAsync(factory, "race-seller", 31);
        using var wms = factory.CreateSignedClient(TestClients.Operator);
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);

        // The first request checks both ids (free), then stops before claiming them; meanwhile another claims race-y with another record.
        var first = Usage(wms, Record("race-x", seller.HubSellerId, "picking", 1m, "2025-03-03T09:00:00+08:00"),
            Record("race-y", seller.HubSellerId, "picking", 2m, "2025-03-03T09:00:00+08:00"));
        await paused.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var other = await HttpAssert.Json(await Usage(hubOperator, Record("race-y", seller.HubSellerId, "picking", 5m, "2025-03-04T09:00:00+08:00")));
        Assert.Equal(1, other.GetProperty("stored").GetInt32());
        paused.Go.SetResult();
        await HttpAssert.Problem(await first, HttpStatusCode.Conflict, "usage-conflict");

        // Nothing of the refused request is left: no claim of race-x; the other request's claim of race-y is untouched.
        var claims = TestStorage.Tables().GetTableClient(factory.Names.UsageIdsTable);
        Assert.False((await claims.GetEntityIfExistsAsync<TableEntity>("hangzhou|race-x", "hangzhou|race-x")).HasValue);
        var y = await factory.Services.GetRequiredService<IUsageIds>().FindAsync("hangzhou", ["race-x", "race-y"], CancellationToken.None);
        Assert.Equal(5m, Assert.Single(y).Value.Quantity);
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        var march = new BillingPeriod(new(2025, 3));
        Assert.Equal(["2025-03-04 picking 5"], (await ledger.RollupsAsync(seller.SellerId, "hangzhou", march, CancellationToken.None)).Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}"));

        // race-x is free: another record under it is stored (before the fix the leftover claim refused it with usage-conflict).
        var later = await HttpAssert.Json(await Usage(wms, Record("race-x", seller.HubSellerId, "picking", 7m, "2025-03-05T09:00:00+08:00")));
        Assert.Equal(1, later.GetProperty("stored").GetInt32());
        Assert.Equal(["2025-03-04 picking 5", "2025-03-05 picking 7"],
            (await ledger.RollupsAsync(seller.SellerId, "hangzhou", march, CancellationToken.None)).Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}").Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The narrow race of the release: request A claims race-p, is refused for race-q (claimed meanwhile by another record) and,
    /// before it releases race-p, request B sends race-p's identical record, relies on A's claim and stores it. A's release must
    /// then leave the claim, else the stored record would have no claim and another record under race-p would be stored too.
    /// </summary>
    [Fact]
    public async Task BIL_2_a_claim_another_request_relied_on_is_not_released_by_its_refused_writer()
    {
        var paused = new PausedClaims("race-p", pauseRelease: true);
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now),
            services: s => s.AddSingleton<IUsageIds>(sp => paused.Wrap(ActivatorUtilities.CreateInstance<TableUsageIds>(sp))));
        var seller = await SeedAsync(factory, "keep-seller", 31);
        using var wms = factory.CreateSignedClient(TestClients.Operator);
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);
        var p1 = Record("race-p", seller.HubSellerId, "picking", 1m, "2025-03-03T09:00:00+08:00");

        var first = Usage(wms, p1, Record("race-q", seller.HubSellerId, "picking", 2m, "2025-03-03T09:00:00+08:00"));
        await paused.Reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, (await HttpAssert.Json(await Usage(hubOperator, Record("race-q", seller.HubSellerId, "picking", 5m, "2025-03-04T09:00:00+08:00")))).GetProperty("stored").GetInt32());
        paused.Go.SetResult();

        // A has claimed race-p, lost race-q and is about to release race-p; B stores race-p's identical record meanwhile.
        await paused.ReleaseReached.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, (await HttpAssert.Json(await Usage(hubOperator, p1))).GetProperty("stored").GetInt32());
        paused.ReleaseGo.SetResult();
        await HttpAssert.Problem(await first, HttpStatusCode.Conflict, "usage-conflict");

        var claims = await factory.Services.GetRequiredService<IUsageIds>().FindAsync("hangzhou", ["race-p"], CancellationToken.None);
        Assert.Equal(1m, Assert.Single(claims).Value.Quantity);
        await HttpAssert.Problem(await Usage(wms, Record("race-p", seller.HubSellerId, "picking", 7m, "2025-03-05T09:00:00+08:00")), HttpStatusCode.Conflict, "usage-conflict");
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        Assert.Equal(["2025-03-03 picking 1", "2025-03-04 picking 5"],
            (await ledger.RollupsAsync(seller.SellerId, "hangzhou", new BillingPeriod(new(2025, 3)), CancellationToken.None))
                .Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}").Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The real claim store; the first claim call that names <c>usageId</c> waits for <see cref="Go"/> (a slow request), and with
    /// <c>pauseRelease</c> the first release waits for <see cref="ReleaseGo"/>.
    /// </summary>
    private sealed class PausedClaims(string usageId, bool pauseRelease = false)
    {
        public string UsageId { get; } = usageId;

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool PauseRelease { get; } = pauseRelease;

        public TaskCompletionSource ReleaseReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseGo { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IUsageIds Wrap(IUsageIds inner) => new Store(inner, this);

        private sealed class Store(IUsageIds inner, PausedClaims owner) : IUsageIds
        {
            public Task<IReadOnlyDictionary<string, UsageClaim>> FindAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken)
                => inner.FindAsync(hub, usageIds, cancellationToken);

            public async Task<IReadOnlyList<BillingWrite>> ClaimAsync(string hub, IReadOnlyList<UsageClaim> claims, CancellationToken cancellationToken)
            {
                if (claims.Any(c => c.UsageId == owner.UsageId) && owner.Reached.TrySetResult())
                {
                    await owner.Go.Task.WaitAsync(cancellationToken);
                }

                return await inner.ClaimAsync(hub, claims, cancellationToken);
            }

            public async Task<int> ReleaseAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken)
            {
                if (owner.PauseRelease && owner.ReleaseReached.TrySetResult())
                {
                    await owner.ReleaseGo.Task.WaitAsync(cancellationToken);
                }

                return await inner.ReleaseAsync(hub, usageIds, cancellationToken);
            }
        }
    }
}
