using Azure.Messaging.ServiceBus;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace HubFunctions.Infrastructure.Events;

/// <summary>Settings under <c>Hub:Events</c>.</summary>
public sealed class EventsOptions
{
    /// <summary><c>queue</c> (the Azurite queue <c>hub-events</c>; the local default) or <c>servicebus</c>.</summary>
    public string Publisher { get; set; } = "queue";

    public ServiceBusEventsOptions ServiceBus { get; set; } = new();

    /// <summary>Where the <c>queue</c> publisher's queue is (<c>Hub:Events:Queue</c>).</summary>
    public QueueEventsOptions Queue { get; set; } = new();

    /// <summary>How many claims, publishes and deletes one relay run keeps in flight (<c>Hub:Events:RelayParallelism</c>).</summary>
    public int RelayParallelism { get; set; } = 32;

    /// <summary>
    /// How many outbox-row deletes a relay pass keeps in flight while it is still publishing
    /// (<c>Hub:Events:RelayCleanupParallelism</c>); once publishing is done, cleanup uses
    /// <see cref="RelayParallelism"/>. Default 0: a pass deletes nothing until it has published, so
    /// the deletes leave the store (and this process's CPU) to the delivery.
    /// </summary>
    public int RelayCleanupParallelism { get; set; }

    /// <summary>
    /// While commits keep coming, at most one relay wake-up per this interval from one process
    /// (<c>Hub:Events:WakeUpSpacing</c>, whole seconds, default 1 s; 0 sends one per send round trip):
    /// a wake-up sent within it of the previous one becoming visible is held invisible for it and
    /// covers every commit marked meanwhile (<see cref="OutboxWakeUp"/>).
    /// </summary>
    public TimeSpan WakeUpSpacing { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many committed intents may wait in memory for this process's next relay pass
    /// (<c>Hub:Events:HandOffCapacity</c>, default 1,000; 0 turns the hand-off off): a commit that
    /// does not fit marks its intents committed in the table instead (<see cref="OutboxHandOff"/>).
    /// </summary>
    public int HandOffCapacity { get; set; } = 1_000;
}

public sealed class ServiceBusEventsOptions
{
    /// <summary>e.g. <c>hub-prod.servicebus.windows.net</c>; used with managed identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Alternative to the namespace: a connection string (not for production).</summary>
    public string? ConnectionString { get; set; }

    public string Topic { get; set; } = "hub-events";
}

public sealed class QueueEventsOptions
{
    /// <summary>
    /// A storage account's connection string (<c>Hub:Events:Queue:ConnectionString</c>) for the <c>queue</c> publisher's queue
    /// <c>hub-events</c>; empty (the default): the hub's own account (<c>AzureWebJobsStorage</c>). The queue stands in for the
    /// Service Bus topic, which is not in the hub's account either: the benchmark of the order lifecycle puts it in an Azurite
    /// of its own, so the events nobody removes there do not slow the hub's own queues (README, Benchmarks).
    /// </summary>
    public string? ConnectionString { get; set; }
}

public static class EventsRegistration
{
    /// <summary>The most one publish may take, retries included.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(100);

    /// <summary>
    /// The publisher chosen by <c>Hub:Events:Publisher</c>, the outbox, its relay and the Polly
    /// pipeline around publishing. Settings are read when the publisher is first made.
    /// </summary>
    public static IServiceCollection AddHubEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration("Hub:Events");
        services.AddHubCommon();
        services.TryAddSingleton<TableOutbox>();
        services.TryAddSingleton<Common.ForwardCheckpoint>();
        services.TryAddSingleton<OutboxRelay>();
        services.TryAddSingleton<OutboxWakeUp>();
        services.TryAddSingleton<OutboxHandOff>();
        services.TryAddSingleton<IOutboxRelayHooks, NoOutboxRelayHooks>();
        services.TryAddSingleton<QueueEventPublisher>();
        services.TryAddSingleton<EventSinkQueue>();
        services.AddAzureClients(clients => clients.AddClient<ServiceBusClient, ServiceBusClientOptions>((options, credential, provider) =>
        {
            var settings = provider.GetRequiredService<IOptions<EventsOptions>>().Value.ServiceBus;
            // Polly retries with jitter around each publish; the SDK only retries once inside an attempt.
            options.RetryOptions.MaxRetries = 1;
            options.RetryOptions.TryTimeout = TimeSpan.FromSeconds(5);
            return settings.ConnectionString is { Length: > 0 } cs
                ? new ServiceBusClient(cs, options)
                : new ServiceBusClient(settings.FullyQualifiedNamespace
                    ?? throw new InvalidOperationException("Hub:Events:ServiceBus:FullyQualifiedNamespace (or ConnectionString) is required when Hub:Events:Publisher is servicebus."),
                    credential, options);
        }));
        services.TryAddSingleton(CreatePublisher);
        services.AddResiliencePipeline(OutboxRelay.PipelineKey, ConfigurePublishPipeline);
        return services;
    }

    private static IEventPublisher CreatePublisher(IServiceProvider provider)
    {
        var settings = provider.GetRequiredService<IOptions<EventsOptions>>().Value;
        return settings.Publisher.ToLowerInvariant() switch
        {
            "queue" => provider.GetRequiredService<QueueEventPublisher>(),
            "servicebus" => new ServiceBusEventPublisher(provider.GetRequiredService<ServiceBusClient>().CreateSender(settings.ServiceBus.Topic)),
            var other => throw new InvalidOperationException($"Hub:Events:Publisher is '{other}'; expected queue or servicebus."),
        };
    }

    /// <summary>
    /// Around each publish: an overall timeout of 100 s, up to 4 retries with exponential back-off and
    /// jitter from 500 ms (capped at 8 s), and 40 s for each attempt. An attempt is given longer than
    /// the storage SDK's own 30 s network timeout: a send cut short may still be stored, and sending it
    /// again duplicates the event (same id; consumers drop it, but the local sink does not), so the
    /// SDK's own timeout and retry act first. The relay's lease (<see cref="OutboxRelay.Lease"/>) is
    /// longer than the overall timeout, so no second relay takes a row while a publish may still land.
    /// </summary>
    public static void ConfigurePublishPipeline(ResiliencePipelineBuilder builder)
    {
        builder
            .AddTimeout(PublishTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(8),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(40) });
    }
}
