using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Options;

namespace HubFunctions.DevHost;

/// <summary>
/// Storage Queue triggers with the Functions host's semantics: messages are base64 text, a failed
/// message becomes visible again after <c>visibilityTimeout</c>, and after <c>maxDequeueCount</c>
/// attempts it moves to <c>{queue}-poison</c>. A message that is not valid base64 moves to the
/// poison queue at once, with a logged reason. A batch runs in parallel.
/// </summary>
public sealed class QueueTriggerService(
    ActiveFunctions functions,
    IAzureClientFactory<QueueServiceClient> rawQueues,
    FunctionInvoker invoker,
    IServiceScopeFactory scopes,
    IOptions<HostSettings> settings,
    IConfiguration configuration,
    ILogger<QueueTriggerService> logger) : BackgroundService
{
    /// <summary>How long a received message stays invisible while the function runs.</summary>
    private static readonly TimeSpan ProcessingLease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    private QueueHostSettings Queues => settings.Value.Queues;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(functions.Listening(TriggerKind.Queue).Select(f => ListenAsync(f, stoppingToken)));

    private async Task ListenAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var name = SettingExpressions.Resolve(function.Queue!.QueueName, configuration);
        var queue = RawClient(name);
        var delay = MinPollingInterval;
        logger.LogInformation("Listening to queue {Queue} for {Function}", name, function.Name);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(Queues.BatchSize, ProcessingLease, stoppingToken);
                if (messages.Length == 0)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Math.Max(Queues.MaxPollingInterval.Ticks, MinPollingInterval.Ticks)));
                    await Task.Delay(delay, stoppingToken);
                    continue;
                }

                delay = MinPollingInterval;
                await Task.WhenAll(messages.Select(m => ProcessAsync(function, queue, m, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Polling queue {Queue} failed; retrying", name);
                await Task.Delay(Queues.MaxPollingInterval > TimeSpan.Zero ? Queues.MaxPollingInterval : TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// A client that reads message text as it is (no SDK decoding): a message that is not base64
    /// must be seen and poisoned, not thrown on. Poison copies keep the text unchanged.
    /// </summary>
    private QueueClient RawClient(string name) => rawQueues.CreateClient(StorageRegistration.UnencodedClientName).GetQueueClient(name);

    private async Task ProcessAsync(FunctionDescriptor function, QueueClient queue, QueueMessage message, CancellationToken stoppingToken)
    {
        var text = message.Body.ToString();
        var body = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, body, out var length))
        {
            logger.LogError("Message {MessageId} on {Queue} is not valid base64 (the Functions queue encoding); moved to {PoisonQueue} without running {Function}",
                message.MessageId, queue.Name, queue.Name + "-poison", function.Name);
            await PoisonAsync(queue, message, stoppingToken);
            return;
        }

        body = body[..length];
        if (message.DequeueCount > Queues.MaxDequeueCount)
        {
            logger.LogError("Message {MessageId} on {Queue} was already dequeued {Count} times; moved to poison", message.MessageId, queue.Name, message.DequeueCount);
            await PoisonAsync(queue, message, stoppingToken);
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await invoker.InvokeQueueAsync(function, scope.ServiceProvider, body, message, stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            if (message.DequeueCount >= Queues.MaxDequeueCount)
            {
                logger.LogError(e, "{Function} failed on message {MessageId} for the {Count}th time; moved to {PoisonQueue}",
                    function.Name, message.MessageId, message.DequeueCount, queue.Name + "-poison");
                await PoisonAsync(queue, message, stoppingToken);
            }
            else
            {
                logger.LogWarning(e, "{Function} failed on message {MessageId} (attempt {Count} of {Max}); retrying after {Delay}",
                    function.Name, message.MessageId, message.DequeueCount, Queues.MaxDequeueCount, Queues.VisibilityTimeout);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: Queues.VisibilityTimeout, cancellationToken: stoppingToken);
            }
        }
    }

    /// <summary>Copies the message, text unchanged, to <c>{queue}-poison</c>, then deletes it.</summary>
    private async Task PoisonAsync(QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        var poison = RawClient(queue.Name + "-poison");
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(message.Body.ToString(), cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }
}
