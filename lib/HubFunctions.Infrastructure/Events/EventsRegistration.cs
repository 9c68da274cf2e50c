using Azure.Messaging.ServiceBus;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
}

public sealed class ServiceBusEventsOptions
{
    /// <summary>e.g. <c>hub-prod.servicebus.windows.net</c>; used with managed identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Alternative to the namespace: a connection string (not for production).</summary>
    public string? ConnectionString { get; set; }

    public string Topic { get; set; } = "hub-events";
}

public static class EventsRegistration
{
    /// <summary>
    /// The publisher chosen by <c>Hub:Events:Publisher</c>, the outbox, its relay and the Polly
    /// pipeline around publishing. Settings are read when the publisher is first made.
    /// </summary>
    public static IServiceCollection AddHubEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration("Hub:Events");
        services.TryAddSingleton<TableOutbox>();
        services.TryAddSingleton<OutboxRelay>();
        services.TryAddSingleton<IOutboxRelayHooks, NoOutboxRelayHooks>();
        services.TryAddSingleton<QueueEventPublisher>();
        services.AddAzureClients(clients => clients.AddClient<ServiceBusClient, ServiceBusClientOptions>((options, credential, provider) =>
        {
            var settings = Settings(provider).ServiceBus;
            // Polly retries with jitter around each publish; the SDK only retries once inside an attempt.
            options.RetryOptions.MaxRetries = 1;
            options.RetryOptions.TryTimeout = TimeSpan.FromSeconds(5);
            return settings.ConnectionString is { Length: > 0 } cs
                ? new ServiceBusClient(cs, options)
                : new ServiceBusClient(settings.FullyQualifiedNamespace
                    ?? throw new InvalidOperationException("Hub:Events:ServiceBus:FullyQualifiedNamespace (or ConnectionString) is required when Hub:Events:Publisher is servicebus."),
                    credential, options);
        }));
        services.TryAddSingleton<IEventPublisher>(provider => Settings(provider).Publisher.ToLowerInvariant() switch
        {
            "queue" => provider.GetRequiredService<QueueEventPublisher>(),
            "servicebus" => new ServiceBusEventPublisher(provider.GetRequiredService<ServiceBusClient>().CreateSender(Settings(provider).ServiceBus.Topic)),
            var other => throw new InvalidOperationException($"Hub:Events:Publisher is '{other}'; expected queue or servicebus."),
        });
        services.AddResiliencePipeline(OutboxRelay.PipelineKey, ConfigurePublishPipeline);
        return services;
    }

    /// <summary>
    /// Around each publish: an overall timeout of 30 s, up to 4 retries with exponential back-off and
    /// jitter from 500 ms (capped at 8 s), and 10 s for each attempt.
    /// </summary>
    public static void ConfigurePublishPipeline(ResiliencePipelineBuilder builder)
    {
        builder
            .AddTimeout(TimeSpan.FromSeconds(30))
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 4,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                MaxDelay = TimeSpan.FromSeconds(8),
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            })
            .AddTimeout(new TimeoutStrategyOptions { Timeout = TimeSpan.FromSeconds(10) });
    }

    private static EventsOptions Settings(IServiceProvider provider)
        => provider.GetRequiredService<IConfiguration>().GetSection("Hub:Events").Get<EventsOptions>() ?? new EventsOptions();
}
