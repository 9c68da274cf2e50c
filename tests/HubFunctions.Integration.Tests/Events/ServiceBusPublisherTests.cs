using System.Text.Json;
using Azure.Messaging.ServiceBus;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Registry;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// The Service Bus adapter, as far as this machine allows (no Service Bus emulator runs here):
/// message construction against the SDK's own types, and sending through a ServiceBusSender double.
/// </summary>
public sealed class ServiceBusPublisherTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 26, 9, 30, 0, TimeSpan.Zero));

    private static HubEvent Frozen() => HubEvent.Create(EventTypes.SellerFrozen, "sellers/HGH-000042",
        new { sellerId = "HGH-000042", reasons = new[] { "CMP-1 brand-authorization expired" } }, Clock, new OperationIdSource(), sellerId: "HGH-000042", hub: "hangzhou");

    [Fact]
    public void The_message_carries_the_event_id_type_and_routing_properties()
    {
        var e = Frozen();
        var message = ServiceBusEventPublisher.ToMessage(e);

        Assert.Equal(e.Id, message.MessageId);
        Assert.Equal("hub.seller.frozen", message.Subject);
        Assert.Equal("application/cloudevents+json; charset=utf-8", message.ContentType);
        Assert.Equal("hub.seller.frozen", message.ApplicationProperties["type"]);
        Assert.Equal("HGH-000042", message.ApplicationProperties["sellerId"]);
        Assert.Equal("hangzhou", message.ApplicationProperties["hub"]);

        // What a consumer receives: the AMQP message built by the SDK from ours.
        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(message.Body, message.MessageId, subject: message.Subject,
            contentType: message.ContentType, properties: message.ApplicationProperties);
        using var body = JsonDocument.Parse(received.Body.ToMemory());
        var root = body.RootElement;
        Assert.Equal("1.0", root.GetProperty("specversion").GetString());
        Assert.Equal(e.Id, root.GetProperty("id").GetString());
        Assert.Equal("hub.seller.frozen", root.GetProperty("type").GetString());
        Assert.Equal("/hubfunctions/hubs/hangzhou", root.GetProperty("source").GetString());
        Assert.Equal("sellers/HGH-000042", root.GetProperty("subject").GetString());
        Assert.Equal("2026-11-26T09:30:00Z", root.GetProperty("time").GetString());
        Assert.Equal("HGH-000042", root.GetProperty("sellerid").GetString());
        Assert.Equal("application/json", root.GetProperty("datacontenttype").GetString());
        Assert.Equal("CMP-1 brand-authorization expired", root.GetProperty("data").GetProperty("reasons")[0].GetString());
    }

    [Fact]
    public async Task Publishing_sends_through_the_sender_and_a_resend_keeps_the_message_id()
    {
        var sender = new RecordingSender();
        var publisher = new ServiceBusEventPublisher(sender);
        var e = Frozen();
        await publisher.PublishAsync(e, CancellationToken.None);
        await publisher.PublishAsync(e, CancellationToken.None);
        Assert.Equal(2, sender.Sent.Count);
        Assert.All(sender.Sent, m => Assert.Equal(e.Id, m.MessageId));
    }

    /// <summary>A sender whose batches (the SDK's own, from ServiceBusModelFactory) take at most three messages.</summary>
    private sealed class SmallBatchSender : ServiceBusSender
    {
        public List<List<ServiceBusMessage>> Batches { get; } = [];

        private readonly Dictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _stores = [];

        public override string EntityPath => "hub-events";

        public override ValueTask<ServiceBusMessageBatch> CreateMessageBatchAsync(CancellationToken cancellationToken = default)
        {
            var store = new List<ServiceBusMessage>();
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(256 * 1024, store, tryAddCallback: _ => store.Count < 3);
            _stores[batch] = store;
            return ValueTask.FromResult(batch);
        }

        public override Task SendMessagesAsync(ServiceBusMessageBatch messageBatch, CancellationToken cancellationToken = default)
        {
            Batches.Add([.. _stores[messageBatch]]);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Publishing_many_fills_a_batch_sends_it_when_full_and_starts_the_next_with_the_message_that_did_not_fit()
    {
        var sender = new SmallBatchSender();
        var events = Enumerable.Range(0, 7).Select(_ => Frozen()).ToList();
        await new ServiceBusEventPublisher(sender).PublishAllAsync(events, CancellationToken.None);

        Assert.Equal([3, 3, 1], sender.Batches.Select(b => b.Count));
        Assert.Equal(events.Select(e => e.Id), sender.Batches.SelectMany(b => b).Select(m => m.MessageId));
        Assert.All(sender.Batches.SelectMany(b => b), m => Assert.Equal(EventTypes.SellerFrozen, m.Subject));
    }

    [Fact]
    public void The_cloud_event_round_trips()
    {
        var e = Frozen();
        var back = CloudEventCodec.Decode(CloudEventCodec.Encode(e));
        Assert.Equal(e.Id, back.Id);
        Assert.Equal(e.Type, back.Type);
        Assert.Equal(e.Subject, back.Subject);
        Assert.Equal(e.Time, back.Time);
        Assert.Equal(e.SellerId, back.SellerId);
        Assert.Equal(e.Hub, back.Hub);
        Assert.Equal(e.Data.GetRawText(), back.Data.GetRawText());
    }

    [Fact]
    public void The_publish_pipeline_is_registered_once_with_its_settings()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddHubEvents();
        using var provider = services.BuildServiceProvider();
        var pipeline = provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(OutboxRelay.PipelineKey);
        var strategies = pipeline.GetPipelineDescriptor().Strategies;

        Assert.Equal(3, strategies.Count);
        var total = Assert.IsType<TimeoutStrategyOptions>(strategies[0].Options);
        Assert.Equal(TimeSpan.FromSeconds(100), total.Timeout);
        var retry = Assert.IsType<RetryStrategyOptions>(strategies[1].Options);
        Assert.Equal(4, retry.MaxRetryAttempts);
        Assert.Equal(DelayBackoffType.Exponential, retry.BackoffType);
        Assert.True(retry.UseJitter);
        Assert.Equal(TimeSpan.FromMilliseconds(500), retry.Delay);
        Assert.Equal(TimeSpan.FromSeconds(8), retry.MaxDelay);
        var attempt = Assert.IsType<TimeoutStrategyOptions>(strategies[2].Options);
        Assert.Equal(TimeSpan.FromSeconds(40), attempt.Timeout);
        Assert.True(OutboxRelay.Lease > EventsRegistration.PublishTimeout);
    }

    [Fact]
    public async Task The_publish_pipeline_retries_a_failing_send_and_gives_up_after_four_retries()
    {
        var builder = new ResiliencePipelineBuilder();
        EventsRegistration.ConfigurePublishPipeline(builder);
        // Same strategies, no real waiting: the retry delays run on a fake clock that a loop advances.
        var clock = new FakeTimeProvider();
        builder.TimeProvider = clock;
        var pipeline = builder.Build();
        var attempts = 0;
        var run = pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            throw new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy);
        }).AsTask();
        while (!run.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        await Assert.ThrowsAsync<ServiceBusException>(() => run);
        Assert.Equal(5, attempts);
    }
}
