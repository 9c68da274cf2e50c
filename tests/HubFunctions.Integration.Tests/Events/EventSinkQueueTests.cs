using System.Net;
using System.Net.Sockets;
using Azure.Storage.Queues;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// The <c>queue</c> publisher's queue <c>hub-events</c> is in the storage account <c>Hub:Events:Queue:ConnectionString</c> names,
/// when set (the stand-in for Service Bus, which is not in the hub's account either); unset, in the hub's own account (every
/// other test of events reads it there). Each test has its own queue names.
/// </summary>
public sealed class EventSinkQueueTests
{
    private readonly StorageNames _names = TestStorage.IsolatedNames();

    [Fact]
    public async Task The_queue_publisher_sends_to_the_account_the_setting_names_and_not_to_the_hubs()
    {
        // An account nobody listens on: the publish must fail there, and nothing may reach the hub's own queue.
        using (var elsewhere = Process(ConnectionStringOnPort(ClosedPort())))
        {
            Assert.True(elsewhere.GetRequiredService<EventSinkQueue>().Separate);
            var publisher = elsewhere.GetRequiredService<QueueEventPublisher>();
            await Assert.ThrowsAnyAsync<Exception>(() => publisher.PublishAsync(Event("ORD-elsewhere"), CancellationToken.None));
        }

        var hubQueue = TestStorage.Queue(_names.EventsQueue);
        Assert.False((await hubQueue.ExistsAsync()).Value);

        // The same setting naming a reachable account (this run's Azurite): the event arrives there, readable as ever.
        using var reachable = Process(TestStorage.ConnectionString);
        var hubEvent = Event("ORD-reachable");
        await reachable.GetRequiredService<QueueEventPublisher>().PublishAsync(hubEvent, CancellationToken.None);
        var sink = new QueueClient(TestStorage.ConnectionString, _names.EventsQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var received = (await sink.ReceiveMessagesAsync(32)).Value;
        Assert.Equal([hubEvent.Id], received.Select(m => CloudEventCodec.Decode(m.Body.ToArray()).Id));
    }

    [Fact]
    public async Task Unset_the_queue_is_the_hubs_own()
    {
        using var process = Process(null);
        var sink = process.GetRequiredService<EventSinkQueue>();
        Assert.False(sink.Separate);
        var storage = process.GetRequiredService<HubStorage>();
        Assert.Equal((await storage.QueueAsync(_names.EventsQueue)).Uri, (await sink.QueueAsync()).Uri);
    }

    private ServiceProvider Process(string? eventsConnection)
        => TestServices.Build(new FakeTimeProvider(DateTimeOffset.UtcNow), _names, services => services.AddHubEvents(),
            [new("Hub:Events:Queue:ConnectionString", eventsConnection)]);

    private static HubEvent Event(string orderId)
        => HubEvent.Create("hub.order.received", $"orders/{orderId}", new { orderId }, TimeProvider.System, new OperationIdSource(), "seller-1", "hangzhou");

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ConnectionStringOnPort(int port)
        => $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
}
