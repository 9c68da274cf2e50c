using System.Net;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// A dispatch instruction reads its order once (issue 11 (d)): the function reads it for SEC-2 and hands it to the handler,
/// whose first attempt decides on it; only a conflict reads it again (the race with the sweep: <c>CutoffRaceTests</c>).
/// </summary>
public sealed class InstructionReadTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    [Fact]
    public async Task DSP_4_an_accepted_instruction_and_its_repeat_each_read_the_order_row_and_its_outcome_row_once()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = new DevHostFactory(clock: clock, services: s => s.AddSingleton<StorageClientPolicy>(reads));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-read-once", Created));

        reads.Reset();
        await HttpAssert.Json(await InstructAsync(seller, "ORD-read-once", "INS-1"), HttpStatusCode.Created);
        Assert.Equal((1, 1), (reads.Of(factory.Names.OrdersTable, "ORD-read-once"), reads.Of(factory.Names.OrderOutcomesTable, "ORD-read-once")));

        // The same instruction again (another webhook-id): answered from the stored outcome, read once too.
        reads.Reset();
        await HttpAssert.Json(await InstructAsync(seller, "ORD-read-once", "INS-1"), HttpStatusCode.Created);
        Assert.Equal((1, 1), (reads.Of(factory.Names.OrdersTable, "ORD-read-once"), reads.Of(factory.Names.OrderOutcomesTable, "ORD-read-once")));
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-read-once"));
    }
}
