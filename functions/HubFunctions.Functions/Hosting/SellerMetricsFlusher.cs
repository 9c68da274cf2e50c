using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// DSP-5: commits the counts that intakes and accepted instructions gather in this process
/// (<see cref="TableSellerMetricsStore.CountSoonAsync"/>) every <see cref="OrderOptions.MetricsFlushInterval"/>, and what is left
/// when the host stops. The store gathers from the host's start until its stop; with an interval of zero, or with another
/// store registered, every request counts its own order as before. A flush that fails is logged, its counts are gathered
/// again, and the next flushes wait longer (up to <see cref="MaxBackOff"/>) while storage refuses. Real time, not the app's
/// clock: this paces storage calls, it decides nothing about orders.
/// </summary>
public sealed class SellerMetricsFlusher(ISellerMetricsStore metrics, OrderOptions options, ILogger<SellerMetricsFlusher> logger) : BackgroundService
{
    /// <summary>The longest pause after failed flushes (doubling from the interval).</summary>
    public static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(30);

    /// <summary>How many times the stop tries to commit what is left, at most.</summary>
    public const int FlushesAtStop = 3;

    private TableSellerMetricsStore? Store => options.MetricsFlushInterval > TimeSpan.Zero ? metrics as TableSellerMetricsStore : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the host serves its first request (ExecuteAsync may start later, on a thread of its own).
        Store?.StartGathering();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Store is not { } store)
        {
            return;
        }

        try
        {
            var pause = options.MetricsFlushInterval;
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(pause, stoppingToken).ConfigureAwait(false);
                // A flush under way finishes even when the host stops meanwhile (StopAsync waits for it, then commits the rest).
                pause = await FlushAsync(store, CancellationToken.None).ConfigureAwait(false)
                    ? options.MetricsFlushInterval
                    : TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxBackOff.Ticks));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync commits what is left.
        }
        finally
        {
            // Without this loop nobody commits what is gathered: requests count their own orders again.
            store.StopGathering();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (Store is not { } store)
        {
            return;
        }

        // Requests still running count their own orders from here on; what was gathered is committed now.
        store.StopGathering();
        for (var i = 0; i < FlushesAtStop && store.GatheredOrders > 0 && !cancellationToken.IsCancellationRequested; i++)
        {
            await FlushAsync(store, cancellationToken).ConfigureAwait(false);
        }

        if (store.GatheredOrders > 0)
        {
            logger.LogError("DSP-5 counts of {Orders} orders not committed at stop; the cutoff sweep counts them when it finishes those orders", store.GatheredOrders);
        }
    }

    /// <summary>One flush; false (logged) when part of it failed and was gathered again.</summary>
    private async Task<bool> FlushAsync(TableSellerMetricsStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.FlushAsync(null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "DSP-5 counts of {Orders} orders not committed yet; a later flush tries again", store.GatheredOrders);
            return false;
        }
    }
}
