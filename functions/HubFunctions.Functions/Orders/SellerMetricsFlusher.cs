using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Orders;

/// <summary>
/// DSP-5: commits the counts that intakes and accepted instructions gather in this process
/// (<see cref="TableSellerMetricsStore.CountSoonAsync"/>) every <see cref="OrderOptions.MetricsFlushInterval"/>, and once more
/// when the host stops. While it runs the store gathers; before it starts, after it stops, with an interval of zero or with
/// another store registered, every request counts its own order as before. A flush that fails is logged and its counts are
/// committed by the next one (the store gathers them again). Real time, not the app's clock: this paces storage calls, it
/// decides nothing about orders.
/// </summary>
public sealed class SellerMetricsFlusher(ISellerMetricsStore metrics, OrderOptions options, ILogger<SellerMetricsFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (metrics is not TableSellerMetricsStore store || options.MetricsFlushInterval <= TimeSpan.Zero)
        {
            return;
        }

        store.StartGathering();
        using var timer = new PeriodicTimer(options.MetricsFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await FlushAsync(store, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync commits what is left.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (metrics is TableSellerMetricsStore store)
        {
            // Requests still running count their own orders from here on; what was gathered is committed now.
            store.StopGathering();
            await FlushAsync(store, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(TableSellerMetricsStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.FlushAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "DSP-5 counts of {Orders} orders not committed yet; the next flush tries again", store.GatheredOrders);
        }
    }
}
