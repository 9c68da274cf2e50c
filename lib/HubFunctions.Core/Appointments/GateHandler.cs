using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Appointments;

/// <summary>A gate arrival as the hub operator reports it (API.md <c>POST /api/hubs/{hub}/gate/arrivals</c>): raw values, null when missing.</summary>
public sealed record GateArrival(string? VehiclePlate, DateTimeOffset? ArrivedAt, decimal? WeighbridgeKg);

/// <summary>The checks of a gate arrival's fields (every error at once).</summary>
public static class GateInputs
{
    /// <summary>How far an arrival may lie in the future (clock skew of the gate terminal; decided here).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>How late an arrival may be reported (decided here): after a day, the appointment and the APT-6 day are over.</summary>
    public static readonly TimeSpan MaxReportDelay = TimeSpan.FromHours(24);

    public const string InvalidArrivalTime = "invalid-arrival-time";

    /// <summary>The errors of <paramref name="arrival"/> reported at <paramref name="now"/>; the normalised plate when it is valid.</summary>
    public static IReadOnlyList<FieldError> Validate(GateArrival arrival, DateTimeOffset now, AppointmentOptions options, out string plate)
    {
        ArgumentNullException.ThrowIfNull(arrival);
        var errors = new List<FieldError>();
        if (!VehiclePlate.TryNormalise(arrival.VehiclePlate, out plate, out var plateError))
        {
            errors.Add(plateError);
        }

        if (arrival.ArrivedAt is not { } at)
        {
            errors.Add(new FieldError("arrivedAt", AppointmentCodes.Required, "arrivedAt is required: an RFC 3339 date-time with offset."));
        }
        else if (at > now + FutureTolerance || at < now - MaxReportDelay)
        {
            errors.Add(new FieldError("arrivedAt", InvalidArrivalTime, "arrivedAt must be within the last 24 hours and not in the future."));
        }

        if (GateRules.CheckWeighbridge(arrival.WeighbridgeKg, options) is { } weight)
        {
            errors.Add(weight);
        }

        return errors;
    }
}

/// <summary>The gate's answer: the arrival's id (derived from the request) and the decision.</summary>
public sealed record GateAnswer(string ArrivalId, GateDecision Decision);

/// <summary>
/// The gate (APT-5, APT-4, APT-8, one admission per appointment) and the recorded refusal that blocks same-day
/// make-up bookings (APT-6). The decision is <see cref="GateRules.Decide"/> over the plate's appointments at the
/// hub on the arrival's day and the day before; its effect on the appointment commits under the appointment's
/// token with its event (two arrivals racing for one appointment: one admission, the other re-reads and is
/// refused). The arrival id is drawn once from the request: a retried request finds the appointment its first
/// attempt changed and answers the same. A refusal is then recorded: the refusal row, the APT-6 block and
/// <c>hub.appointment.refused</c> in one commit in the plate-day partition. A refusal that also changes the appointment
/// (APT-4 cancel, APT-8 no-show) is two commits, because the appointment lives in its hub-hour partition (with the dock
/// counter it must move atomically) and the block in the plate-day partition bookings claim: the appointment change
/// first (it carries the arrival id), then the refusal. A crash between them is healed by the sender's retry of the
/// same <c>webhook-id</c>: the decision is replayed from the arrival id (no second change or event), and the refusal
/// commit, with the same stamp and event id, lands once (or finds the first one: no duplicate).
/// </summary>
public sealed class GateHandler(IAppointmentStore store, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    public const string ArrivalIdPrefix = "ARR";

    public async Task<GateAnswer> ArriveAsync(string hub, string vehiclePlate, DateTimeOffset arrivedAt, decimal? weighbridgeKg, string recordedBy, CancellationToken cancellationToken)
    {
        var arrivalId = ids.NewId(ArrivalIdPrefix);
        // Drawn before the decision, whose attempts draw a varying number of ids: a retried request (which replays the
        // decision without drawing) gives its refusal the same event id, never one the first attempt gave another event.
        var refusedEventId = ids.NewGuid().ToString("D");
        var day = ChinaTime.DateOf(arrivedAt);
        var decision = await retry.RunAsync(async (_, ct) =>
        {
            var candidates = await store.ListAsync(hub, day.AddDays(-1), day, null, vehiclePlate, ct).ConfigureAwait(false);
            if (candidates.FirstOrDefault(c => string.Equals(c.ArrivalId, arrivalId, StringComparison.Ordinal)) is { } done)
            {
                return Replayed(done.Appointment);
            }

            var decided = GateRules.Decide(hub, vehiclePlate, arrivedAt, weighbridgeKg, candidates.Select(c => c.Appointment));
            if (decided.Effect == GateEffect.None)
            {
                return decided;
            }

            var stored = candidates.Single(c => c.Appointment.AppointmentId == decided.AppointmentId);
            var transition = decided.Effect switch
            {
                GateEffect.Admit => stored.Appointment.Admit(arrivedAt),
                GateEffect.CancelOverweight => stored.Appointment.Cancel(CancellationReason.Overweight, arrivedAt),
                _ => stored.Appointment.MarkNoShow(arrivedAt),
            };
            var extra = new { arrivalId, arrivedAt = ChinaTime.ToChina(arrivedAt), weighbridgeKg, reason = AppointmentHandler.ReasonOf(transition.After) };
            await store.UpdateAsync(stored, transition.After, transition.FreesSlot, arrivalId,
                [AppointmentEventData.Create(transition.EventType!, transition.After, extra, clock, ids)], ct).ConfigureAwait(false);
            return decided;
        }, cancellationToken).ConfigureAwait(false);

        if (!decision.Admitted)
        {
            var refusal = new GateRefusalRecord(arrivalId, hub, vehiclePlate, arrivedAt, decision.Code!, decision.AppointmentId, weighbridgeKg, recordedBy);
            var refused = HubEvent.Create(AppointmentEvents.Refused, decision.AppointmentId is { } id ? $"appointments/{id}" : $"gate-arrivals/{arrivalId}", new
            {
                arrivalId,
                hub,
                vehiclePlate,
                arrivedAt = ChinaTime.ToChina(arrivedAt),
                code = decision.Code,
                appointmentId = decision.AppointmentId,
                weighbridgeKg,
            }, clock, ids, null, hub) with
            { Id = refusedEventId };
            await store.RecordRefusalAsync(refusal, [refused], cancellationToken).ConfigureAwait(false);
        }

        return new GateAnswer(arrivalId, decision);
    }

    /// <summary>The decision an earlier attempt of this arrival made, read back from the appointment it changed.</summary>
    private static GateDecision Replayed(Appointment a) => a.Status switch
    {
        AppointmentStatus.Admitted => new GateDecision(GateOutcome.Admitted, a.AppointmentId, null, $"Admitted on appointment {a.AppointmentId}.", GateEffect.Admit),
        AppointmentStatus.NoShow => new GateDecision(GateOutcome.Refused, a.AppointmentId, AppointmentCodes.NoShow, $"Appointment {a.AppointmentId} is a no-show (APT-8).", GateEffect.MarkNoShow),
        _ => new GateDecision(GateOutcome.Refused, a.AppointmentId, AppointmentCodes.Overweight, $"Appointment {a.AppointmentId} is cancelled: over 3,000 kg (APT-4).", GateEffect.CancelOverweight),
    };
}

/// <summary>
/// APT-8: marks scheduled appointments with no gate arrival by their hour + 2 h as <c>no-show</c>, exactly once
/// each (the change is conditional on the appointment's token and carries <c>hub.appointment.no-show</c> in the
/// same commit; an overlapping run or the gate loses the race and re-reads). Due appointments are found by hour:
/// an index hour (UTC hour of the due time, <see cref="NoShowRules.IndexKey"/>) names, per hub, the one hub-hour
/// partition whose appointments fall due in it. A checkpoint (the last hour fully swept) makes a missed or failed
/// run catch up; at most <see cref="MaxHoursPerRun"/> hours per run.
/// </summary>
public sealed class NoShowSweep(IAppointmentStore store, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    /// <summary>Catch-up bound per run (a week): a longer gap is caught up over several runs.</summary>
    public const int MaxHoursPerRun = 168;

    /// <summary>The first run ever (no checkpoint) looks back this far: a day, as far back as the gate accepts late arrival reports.</summary>
    public static readonly TimeSpan FirstRunLookBack = TimeSpan.FromHours(24);

    /// <summary>Runs one sweep; returns how many appointments this run marked.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> hubs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hubs);
        var now = clock.GetUtcNow();
        var sweptThrough = await store.ReadNoShowCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var keys = NoShowRules.PartitionsToSweep(sweptThrough ?? now - FirstRunLookBack, now);
        var truncated = keys.Count > MaxHoursPerRun;
        var marked = 0;
        foreach (var key in keys.Take(MaxHoursPerRun))
        {
            var dueHour = DateTimeOffset.ParseExact(key, "yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
            foreach (var hub in hubs)
            {
                foreach (var due in await store.ListScheduledAsync(hub, dueHour - NoShowRules.Grace, cancellationToken).ConfigureAwait(false))
                {
                    if (NoShowRules.IsNoShow(due.Appointment, now) && await MarkAsync(hub, due.Appointment.AppointmentId, now, cancellationToken).ConfigureAwait(false))
                    {
                        marked++;
                    }
                }
            }
        }

        var through = truncated
            ? DateTimeOffset.ParseExact(keys[MaxHoursPerRun - 1], "yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal)
            : NoShowRules.CompletedThrough(now);
        await store.AdvanceNoShowCheckpointAsync(through, cancellationToken).ConfigureAwait(false);
        return marked;
    }

    private Task<bool> MarkAsync(string hub, string appointmentId, DateTimeOffset now, CancellationToken cancellationToken)
        => retry.RunAsync(async (_, ct) =>
        {
            var stored = await store.FindAsync(hub, appointmentId, ct).ConfigureAwait(false);
            if (stored is null || !NoShowRules.IsNoShow(stored.Appointment, now))
            {
                return false;
            }

            var transition = stored.Appointment.MarkNoShow(now);
            var e = AppointmentEventData.Create(AppointmentEvents.NoShow, transition.After, new { dueAt = ChinaTime.ToChina(stored.Appointment.NoShowDue) }, clock, ids);
            await store.UpdateAsync(stored, transition.After, false, null, [e], ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
}
