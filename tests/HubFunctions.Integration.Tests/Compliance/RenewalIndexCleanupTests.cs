using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Compliance;

/// <summary>
/// CMP-1, CMP-2: dropping a swept day of the renewal index is best effort. A drop that fails (injected through
/// <see cref="IRenewalIndex"/>, the interface the sweep uses) does not fail the sweep: the checkpoint has moved, a warning names
/// the day's table, and the next sweep finds the table behind the checkpoint by name and drops it.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class RenewalIndexCleanupTests
{
    private static DateTimeOffset At(int month, int day) => new(2027, month, day, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task CMP_1_a_day_table_whose_drop_failed_does_not_fail_the_sweep_and_the_next_sweep_drops_it()
    {
        var clock = new FakeTimeProvider(At(3, 1));
        var failing = new FailingDrops();
        using var factory = new DevHostFactory(clock: clock, functions: ["ComplianceSweep"],
            services: s => s.AddSingleton<IRenewalIndex>(sp => failing.Wrap(ActivatorUtilities.CreateInstance<TableRenewalIndex>(sp))));
        var index = factory.Services.GetRequiredService<IRenewalIndex>();
        var (day2, day3) = (new DateOnly(2027, 3, 2), new DateOnly(2027, 3, 3));
        await index.AddAsync(
        [
            new RenewalEntry(day2, "nobody-2", AdmissionDocuments.BrandAuthorization, "DOC-2", RenewalKind.Freeze),
            new RenewalEntry(day3, "nobody-3", AdmissionDocuments.BrandAuthorization, "DOC-3", RenewalKind.Freeze),
        ], CancellationToken.None);
        var (table2, table3) = (TableRenewalIndex.DayTable(factory.Names.RenewalIndexTable, day2), TableRenewalIndex.DayTable(factory.Names.RenewalIndexTable, day3));
        Assert.True(await TableExistsAsync(table2));

        failing.Failing = true;
        await SweepAtAsync(factory, clock, At(3, 2));
        Assert.Equal(day2, (await index.CheckpointAsync(CancellationToken.None))!.Done);
        Assert.True(await TableExistsAsync(table2));
        Assert.Contains(factory.Logs, l => l.Level == LogLevel.Warning && l.Message.Contains(table2, StringComparison.Ordinal));

        failing.Failing = false;
        await SweepAtAsync(factory, clock, At(3, 3));
        Assert.Equal(day3, (await index.CheckpointAsync(CancellationToken.None))!.Done);
        Assert.False(await TableExistsAsync(table2));
        Assert.False(await TableExistsAsync(table3));
    }

    private static async Task SweepAtAsync(DevHostFactory factory, FakeTimeProvider clock, DateTimeOffset now)
    {
        clock.SetUtcNow(now);
        using var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/admin/functions/ComplianceSweep", null)).StatusCode);
    }

    private static async Task<bool> TableExistsAsync(string name)
        => await TestStorage.Tables().QueryAsync(TableServiceClient.CreateQueryFilter($"TableName eq {name}")).AnyAsync();

    /// <summary>The real index, whose drops fail while <see cref="Failing"/> is set (as a storage outage would).</summary>
    private sealed class FailingDrops
    {
        public volatile bool Failing;

        public IRenewalIndex Wrap(IRenewalIndex inner) => new Index(inner, this);

        private sealed class Index(IRenewalIndex inner, FailingDrops owner) : IRenewalIndex
        {
            public Task AddAsync(IReadOnlyList<RenewalEntry> entries, CancellationToken cancellationToken) => inner.AddAsync(entries, cancellationToken);

            public Task<IReadOnlyList<RenewalEntry>> DayAsync(DateOnly day, CancellationToken cancellationToken) => inner.DayAsync(day, cancellationToken);

            public Task<SweepCheckpoint?> CheckpointAsync(CancellationToken cancellationToken) => inner.CheckpointAsync(cancellationToken);

            public Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken) => inner.EarliestAsync(cancellationToken);

            public Task<DateOnly> AdvanceAsync(DateOnly done, CancellationToken cancellationToken) => inner.AdvanceAsync(done, cancellationToken);

            public Task ForgetAsync(DateOnly day, CancellationToken cancellationToken)
                => owner.Failing ? throw new IOException($"Injected failure dropping the entries of {day:yyyy-MM-dd}.") : inner.ForgetAsync(day, cancellationToken);

            public Task<IReadOnlyList<DateOnly>> KeptDaysAsync(DateOnly through, CancellationToken cancellationToken) => inner.KeptDaysAsync(through, cancellationToken);

            public Task<bool> SendReminderAsync(RenewalEntry entry, Core.Events.HubEvent reminder, CancellationToken cancellationToken) => inner.SendReminderAsync(entry, reminder, cancellationToken);
        }
    }
}
