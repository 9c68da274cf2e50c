using HubFunctions.Core.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Orders;

/// <summary>DSP-3: the cutoff sweep, a timer that queues the due deadline index partitions, and one queue message per partition.</summary>
public sealed class OrderCutoffFunctions(CutoffSweep sweep, ILogger<OrderCutoffFunctions> logger)
{
    /// <summary>On <c>Hub:Orders:SweepSchedule</c> (default every 20 s, <c>*/20 * * * * *</c>; every 10 s in sessions s12-s14); also <c>POST /admin/functions/PlanOrderCutoff</c>.</summary>
    [Function("PlanOrderCutoff")]
    public async Task Plan([TimerTrigger("%Hub:Orders:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var plan = await sweep.PlanAsync(cancellationToken);
        logger.LogInformation(
            "Order cutoff: queued {Partitions} index partitions after {From}, checkpoint {SweptThrough}, caught up {CaughtUp}, dropped {Dropped} index minutes, requeued {Requeued} poisoned messages, leftover rows {Leftovers} read and {LeftoversRemoved} removed",
            plan.Partitions, plan.From, plan.SweptThrough, plan.CaughtUp, plan.Dropped, plan.Requeued, plan.Leftovers, plan.LeftoversRemoved);
        foreach (var failure in plan.LeftoverFailures ?? [])
        {
            logger.LogWarning("Order cutoff: leftover index rows not finished, tried again next run: {Failure}", failure);
        }
    }

    /// <summary>One due index partition: converts its open orders past their deadline, removes finished orders' rows.</summary>
    [Function("SweepOrderCutoffShard")]
    public async Task Sweep([QueueTrigger("%Hub:Storage:OrderCutoffQueue%")] string message, CancellationToken cancellationToken)
    {
        // Not ours: fail, so the host moves it to the poison queue where it can be looked at.
        var parsed = CutoffMessage.Parse(message) ?? throw new FormatException("Not an order cutoff message.");
        var report = await sweep.SweepBucketAsync(parsed, cancellationToken);
        if (report.Read > 0)
        {
            logger.LogInformation("Order cutoff {IndexKey}: read {Read}, converted {Converted}, finished {Finished}, not yet due {NotDue}, without order {Missing}",
                report.IndexKey, report.Read, report.Converted, report.Finished, report.NotDue, report.Missing);
        }
    }
}
