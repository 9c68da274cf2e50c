using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Appointments;

/// <summary>How an appointment request ended (the HTTP layer maps each to a status).</summary>
public enum AppointmentOutcome
{
    /// <summary>Done: 201 for a booking, 200 otherwise.</summary>
    Ok,

    /// <summary>No such appointment for this seller at this hub (404; another seller's id looks the same).</summary>
    NotFound,

    /// <summary>A field rule refused it (422 with every error; <c>splitInto</c> for APT-4).</summary>
    Invalid,

    /// <summary>APT-7: the hub-hour is full (409 <c>capacity-full</c>).</summary>
    CapacityFull,

    /// <summary>The appointment is not <c>scheduled</c> any more (409 <c>invalid-state</c> with <c>currentStatus</c>).</summary>
    Conflict,
}

/// <summary>The answer to a booking, change or cancellation: the appointment as it now stands, or why not.</summary>
public sealed record AppointmentResult(AppointmentOutcome Outcome, Appointment? Appointment, IReadOnlyList<FieldError> Errors, int? SplitInto = null)
{
    public static AppointmentResult Ok(Appointment appointment, int? splitInto = null) => new(AppointmentOutcome.Ok, appointment, [], splitInto);

    public static readonly AppointmentResult NotFound = new(AppointmentOutcome.NotFound, null, []);
}

/// <summary>
/// Booking, change, cancellation and listing (APT-1..4, APT-6, APT-7). A booking takes its hub-hour under the
/// dock counter's token, in the same commit as the appointment: racing bookings re-read the counter
/// (<see cref="OptimisticRetry"/>) and never exceed the capacity. The appointment id is drawn once, before
/// the first attempt, from the request (a retried request stores and answers the same appointment).
/// APT-6 is part of the decision: the booking (or a plate change) reads the plate's day at the hub and, when no gate
/// refusal blocks it, claims it under the token read before its appointment commit; a refusal recorded in between
/// rewrites that row, the claim fails and the re-read sees the block (<see cref="IAppointmentStore.ClaimPlateDayAsync"/>).
/// The freeze check (CMP-3, APT-9) and the seller check (SEC-2) come before, in the caller.
/// </summary>
public sealed class AppointmentHandler(IAppointmentStore store, OptimisticRetry retry, IIdSource ids, TimeProvider clock, AppointmentOptions options)
{
    private AppointmentOptions Options => options;

    public async Task<AppointmentResult> BookAsync(string hub, string sellerId, BookingRequest request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        var plateDay = VehiclePlate.TryNormalise(request.VehiclePlate, out var plate, out _)
            ? await store.ReadPlateDayAsync(hub, plate, today, cancellationToken).ConfigureAwait(false)
            : null;
        var check = AppointmentBooking.Check(request, now, Options, _ => plateDay?.Blocked == true);
        if (!check.Accepted)
        {
            var valid = plateDay?.Blocked == true ? AppointmentBooking.Check(request, now, Options).Booking : null;
            return valid is not null && await store.FindAsync(hub, AppointmentIds.New(ids, valid.Eta), cancellationToken).ConfigureAwait(false) is { } stored
                ? AppointmentResult.Ok(stored.Appointment) // A retry of a booking that committed before the refusal.
                : Refused(check);
        }

        var appointment = check.Booking!.ToAppointment(AppointmentIds.New(ids, check.Booking.Eta), sellerId, hub, now);
        if (!await ClaimPlateDayAsync(hub, appointment.VehiclePlate, today, plateDay!, appointment.AppointmentId, cancellationToken).ConfigureAwait(false))
        {
            // A gate refusal was recorded after the read above: the booking comes after it (APT-6).
            var own = await store.FindAsync(hub, appointment.AppointmentId, cancellationToken).ConfigureAwait(false);
            return own is not null ? AppointmentResult.Ok(own.Appointment) : Refused(AppointmentBooking.Check(request, now, Options, _ => true));
        }

        return await retry.RunAsync(async (_, ct) =>
        {
            var slot = await store.ReadSlotAsync(hub, appointment.Eta, ct).ConfigureAwait(false);
            if (DockCapacity.CheckFits(hub, appointment.Eta, slot.Count, Options) is { } full)
            {
                // A retry of a request whose booking committed finds its own appointment holding a place.
                var own = await store.FindAsync(hub, appointment.AppointmentId, ct).ConfigureAwait(false);
                return own is not null ? AppointmentResult.Ok(own.Appointment) : new AppointmentResult(AppointmentOutcome.CapacityFull, null, [full]);
            }

            await store.AddAsync(appointment, slot, [Event(AppointmentEvents.Scheduled, appointment, new { })], ct).ConfigureAwait(false);
            return AppointmentResult.Ok(appointment);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PATCH: plate, phone, weight; a weight above 3,000 kg cancels with reason APT-4 and frees the slot; a new plate claims its day (APT-6).</summary>
    public async Task<AppointmentResult> ChangeAsync(string hub, string sellerId, string appointmentId, AppointmentChange change, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        return await StepAsync(hub, sellerId, appointmentId, async (a, ct) =>
        {
            var plateDay = change.VehiclePlate is not null && VehiclePlate.TryNormalise(change.VehiclePlate, out var plate, out _) && plate != a.VehiclePlate
                ? await store.ReadPlateDayAsync(hub, plate, today, ct).ConfigureAwait(false)
                : null;
            var transition = a.Change(change, now, Options, _ => plateDay?.Blocked == true);
            if (plateDay is not null && transition.Succeeded && transition.Changed
                && !await ClaimPlateDayAsync(hub, transition.After.VehiclePlate, today, plateDay, appointmentId, ct).ConfigureAwait(false))
            {
                return a.Change(change, now, Options, _ => true);
            }

            return transition;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DELETE: the seller cancels; frees the slot.</summary>
    public Task<AppointmentResult> CancelAsync(string hub, string sellerId, string appointmentId, CancellationToken cancellationToken)
        => StepAsync(hub, sellerId, appointmentId, (a, _) => Task.FromResult(a.Cancel(CancellationReason.Seller, clock.GetUtcNow())), cancellationToken);

    /// <summary>The appointments at <paramref name="hub"/> on a China day, ordered by ETA then id; only <paramref name="sellerId"/>'s when given.</summary>
    public async Task<IReadOnlyList<Appointment>> ListAsync(string hub, DateOnly chinaDay, string? sellerId, CancellationToken cancellationToken)
        => (await store.ListAsync(hub, chinaDay, chinaDay, sellerId, null, cancellationToken).ConfigureAwait(false))
            .Select(s => s.Appointment).OrderBy(a => a.Eta).ThenBy(a => a.AppointmentId, StringComparer.Ordinal).ToList();

    /// <summary>
    /// APT-6 inside the decision: claims the plate's day as read (<paramref name="read"/>, not blocked) under its token; when a
    /// refusal (or another claim) moved it since, re-reads: false once a refusal blocks it, true when this booking's claim landed.
    /// </summary>
    private Task<bool> ClaimPlateDayAsync(string hub, string plate, DateOnly day, PlateDay read, string appointmentId, CancellationToken cancellationToken)
        => retry.RunAsync(async (attempt, ct) =>
        {
            var current = attempt == 1 ? read : await store.ReadPlateDayAsync(hub, plate, day, ct).ConfigureAwait(false);
            if (current.Blocked)
            {
                return false;
            }

            await store.ClaimPlateDayAsync(hub, plate, day, current, appointmentId, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    private static AppointmentResult Refused(BookingCheck check) => new(AppointmentOutcome.Invalid, null, check.Errors, check.SplitInto);

    private Task<AppointmentResult> StepAsync(string hub, string sellerId, string appointmentId, Func<Appointment, CancellationToken, Task<AppointmentTransition>> step, CancellationToken cancellationToken)
        => retry.RunAsync(async (_, ct) =>
        {
            var stored = await store.FindAsync(hub, appointmentId, ct).ConfigureAwait(false);
            if (stored is null || !string.Equals(stored.Appointment.SellerId, sellerId, StringComparison.Ordinal))
            {
                return AppointmentResult.NotFound;
            }

            var transition = await step(stored.Appointment, ct).ConfigureAwait(false);
            if (!transition.Succeeded)
            {
                var kind = transition.Code is AppointmentCodes.InvalidState or AppointmentCodes.AlreadyAdmitted ? AppointmentOutcome.Conflict : AppointmentOutcome.Invalid;
                return new AppointmentResult(kind, stored.Appointment, transition.Errors);
            }

            if (transition.Changed)
            {
                var events = transition.EventType is { } type ? [Event(type, transition.After, new { reason = ReasonOf(transition.After), splitInto = transition.SplitInto })] : Array.Empty<HubEvent>();
                await store.UpdateAsync(stored, transition.After, transition.FreesSlot, null, events, ct).ConfigureAwait(false);
            }

            return AppointmentResult.Ok(transition.After, transition.SplitInto);
        }, cancellationToken);

    internal static string? ReasonOf(Appointment a) => a.CancellationReason is { } r ? AppointmentWire.Name(r) : null;

    private HubEvent Event<T>(string type, Appointment a, T extra) => AppointmentEventData.Create(type, a, extra, clock, ids);
}

/// <summary>The shape every appointment event shares: the appointment's identity, then what the event adds.</summary>
public static class AppointmentEventData
{
    public static HubEvent Create<T>(string type, Appointment a, T extra, TimeProvider clock, IIdSource ids)
    {
        ArgumentNullException.ThrowIfNull(a);
        var data = new Dictionary<string, object?>
        {
            ["appointmentId"] = a.AppointmentId,
            ["sellerId"] = a.SellerId,
            ["hub"] = a.Hub,
            ["eta"] = ChinaTime.ToChina(a.Eta),
            ["vehiclePlate"] = a.VehiclePlate,
            ["weightKg"] = a.WeightKg,
            ["status"] = AppointmentWire.Name(a.Status),
        };
        foreach (var property in typeof(T).GetProperties())
        {
            data[property.Name] = property.GetValue(extra);
        }

        return HubEvent.Create(type, $"appointments/{a.AppointmentId}", data, clock, ids, a.SellerId, a.Hub);
    }
}
