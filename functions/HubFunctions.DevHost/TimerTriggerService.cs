using HubFunctions.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace HubFunctions.DevHost;

/// <summary>
/// Timer triggers on their NCRONTAB schedules (6 fields with seconds, UTC; <c>%Setting%</c>
/// resolved from configuration), driven by the injected <see cref="TimeProvider"/> so tests can
/// move a fake clock.
/// </summary>
public sealed class TimerTriggerService(
    ActiveFunctions functions,
    FunctionInvoker invoker,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    IConfiguration configuration,
    ILogger<TimerTriggerService> logger) : BackgroundService
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> _waitingFor = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The due time (UTC) each timer is waiting for now; set once its wait is armed.</summary>
    public IReadOnlyDictionary<string, DateTime> WaitingFor => _waitingFor;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(functions.Listening(TriggerKind.Timer).Select(f => RunScheduleAsync(f, stoppingToken)));

    /// <summary>Parses a schedule as the Functions host does, resolving <c>%Name%</c> from configuration.</summary>
    public static CrontabSchedule ParseSchedule(string schedule, IConfiguration configuration)
    {
        var resolved = SettingExpressions.Resolve(schedule, configuration);
        return CrontabSchedule.Parse(resolved, new CrontabSchedule.ParseOptions { IncludingSeconds = true });
    }

    private async Task RunScheduleAsync(FunctionDescriptor function, CancellationToken stoppingToken)
    {
        var schedule = ParseSchedule(function.Timer!.Schedule, configuration);
        DateTime? last = null;
        logger.LogInformation("Timer {Function} on schedule {Schedule}", function.Name, function.Timer.Schedule);
        if (function.Timer.RunOnStartup)
        {
            await FireAsync(function, schedule, null, clock.GetUtcNow().UtcDateTime, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            try
            {
                var wait = Task.Delay(next - now, clock, stoppingToken);
                _waitingFor[function.Name] = next;
                await wait;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FireAsync(function, schedule, last, next, stoppingToken);
            last = next;
        }
    }

    private async Task FireAsync(FunctionDescriptor function, CrontabSchedule schedule, DateTime? last, DateTime due, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var timer = new TimerInfo
        {
            IsPastDue = now - due > TimeSpan.FromSeconds(1),
            ScheduleStatus = new ScheduleStatus { Last = last ?? default, Next = schedule.GetNextOccurrence(due), LastUpdated = now },
        };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await invoker.InvokeTimerAsync(function, scope.ServiceProvider, timer, stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // As in the Functions host: a failed timer run is logged; the schedule goes on.
            logger.LogError(e, "Timer function {Function} failed", function.Name);
        }
    }
}
