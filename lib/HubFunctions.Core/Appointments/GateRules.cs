using System.Globalization;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>Admitted or refused at the gate.</summary>
public enum GateOutcome
{
    /// <summary>Let in (wire: <c>admitted</c>).</summary>
    Admitted,

    /// <summary>Turned away (wire: <c>refused</c>); the refusal is recorded and blocks same-day make-up bookings (APT-6).</summary>
    Refused,
}

/// <summary>What the gate decision does to the matched appointment.</summary>
public enum GateEffect
{
    /// <summary>No appointment changes.</summary>
    None,

    /// <summary><see cref="Appointment.Admit"/>.</summary>
    Admit,

    /// <summary>APT-4: <see cref="Appointment.Cancel"/> with <see cref="CancellationReason.Overweight"/>; frees its slot.</summary>
    CancelOverweight,

    /// <summary>APT-8: the vehicle came after the no-show deadline; <see cref="Appointment.MarkNoShow"/>.</summary>
    MarkNoShow,
}

/// <summary>
/// The gate's decision (API.md <c>POST /api/hubs/{hub}/gate/arrivals</c>): <c>decision</c>, the matched
/// <c>appointmentId</c> if any, the refusal <c>code</c>, a message for the gate operator, and the effect to apply.
/// </summary>
public sealed record GateDecision(GateOutcome Outcome, string? AppointmentId, string? Code, string Message, GateEffect Effect)
{
    /// <summary>True when the vehicle is let in.</summary>
    public bool Admitted => Outcome == GateOutcome.Admitted;
}

/// <summary>A recorded gate refusal (APT-6 looks these up by <see cref="GateRules.MakeUpBlockKey(string, string, DateTimeOffset)"/>).</summary>
public sealed record GateRefusal(string Hub, string VehiclePlate, DateTimeOffset RefusedAt, string Code);

/// <summary>
/// The gate (APT-5, APT-4, APT-8) and the no-same-day-make-up rule (APT-6), as pure decisions over the
/// appointments at the hub for the plate.
/// </summary>
public static class GateRules
{
    /// <summary>
    /// Decides a gate arrival of <paramref name="vehiclePlate"/> (normalised) at <paramref name="hub"/> at
    /// <paramref name="arrivedAt"/>, given the appointments stored for that hub and plate whose ETA falls on the
    /// arrival's China day or the day before (the caller reads both days; anything else passed in is ignored).
    /// In order:
    /// <list type="number">
    /// <item>APT-5 <b>[defined here]</b>: only appointments at that hub, for that plate, whose ETA falls on the
    /// China calendar day of the arrival count. An arrival at 23:30 for a 00:00 appointment is the wrong day.
    /// One widening (decided here, so APT-5 and APT-8 agree): an arrival after midnight still inside the 2-hour
    /// grace of a 22:00 or 23:00 appointment of the day before counts for it (23:00 → admitted until 01:00).</item>
    /// <item>A <c>scheduled</c> one that is still in time (arrival at or before its hour + 2 h, APT-8): the one whose
    /// hour is nearest the arrival (ties: the earlier hour, then the id). Early arrivals on the same day are fine.
    /// With a weighbridge reading over 3,000 kg it is refused with <c>APT-4</c> and the appointment is cancelled
    /// (reason APT-4); otherwise admitted.</item>
    /// <item>Only <c>scheduled</c> ones past their hour + 2 h: refused with <c>APT-8</c>; the appointment is a
    /// no-show (the sweep would mark it anyway; this way the answer does not depend on when the sweep ran).</item>
    /// <item>One already <c>admitted</c>: refused with <c>already-admitted</c> (one admission per appointment).</item>
    /// <item>Otherwise (none, or only cancelled / no-show ones): refused with <c>APT-5</c>.</item>
    /// </list>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A weighbridge reading that is not positive.</exception>
    public static GateDecision Decide(string hub, string vehiclePlate, DateTimeOffset arrivedAt, decimal? weighbridgeKg, IEnumerable<Appointment> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (weighbridgeKg is { } reading)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(reading, 0m, nameof(weighbridgeKg));
        }

        var day = ChinaTime.DateOf(arrivedAt);
        var today = candidates
            .Where(a => string.Equals(a.Hub, hub, StringComparison.Ordinal)
                && string.Equals(a.VehiclePlate, vehiclePlate, StringComparison.Ordinal)
                && (ChinaTime.DateOf(a.Eta) == day || arrivedAt > a.Eta && NoShowRules.InTime(a.Eta, arrivedAt)))
            .OrderBy(a => (a.Eta - arrivedAt).Duration())
            .ThenBy(a => a.Eta)
            .ThenBy(a => a.AppointmentId, StringComparer.Ordinal)
            .ToList();

        var scheduled = today.Where(a => a.Status == AppointmentStatus.Scheduled).ToList();
        if (scheduled.FirstOrDefault(a => NoShowRules.InTime(a.Eta, arrivedAt)) is { } match)
        {
            return weighbridgeKg is { } kg && AppointmentRules.IsOverweight(kg)
                ? new GateDecision(GateOutcome.Refused, match.AppointmentId, AppointmentCodes.Overweight,
                    $"Weighbridge {kg} kg is over 3,000 kg per vehicle: appointment {match.AppointmentId} is cancelled (APT-4).", GateEffect.CancelOverweight)
                : new GateDecision(GateOutcome.Admitted, match.AppointmentId, null, $"Admitted on appointment {match.AppointmentId}.", GateEffect.Admit);
        }

        if (scheduled.FirstOrDefault() is { } late)
        {
            return new GateDecision(GateOutcome.Refused, late.AppointmentId, AppointmentCodes.NoShow,
                $"Appointment {late.AppointmentId} was for {ChinaTime.ToChina(late.Eta).ToString("HH:mm", CultureInfo.InvariantCulture)}; arrivals are admitted until 2 hours after it (APT-8). It is a no-show.",
                GateEffect.MarkNoShow);
        }

        if (today.FirstOrDefault(a => a.Status == AppointmentStatus.Admitted) is { } admitted)
        {
            return new GateDecision(GateOutcome.Refused, admitted.AppointmentId, AppointmentCodes.AlreadyAdmitted,
                $"Appointment {admitted.AppointmentId} has already been admitted; one admission per appointment.", GateEffect.None);
        }

        return new GateDecision(GateOutcome.Refused, null, AppointmentCodes.NoAppointment,
            $"No scheduled appointment at {hub} for {vehiclePlate} on {day:yyyy-MM-dd} (APT-5).", GateEffect.None);
    }

    /// <summary>
    /// Checks a weighbridge reading from the gate: absent is fine; zero, negative or above
    /// <see cref="AppointmentOptions.MaxWeightKg"/> is <c>invalid-weight</c> (field <c>weighbridgeKg</c>).
    /// Readings above 3,000 kg are valid input: <see cref="Decide"/> refuses them with APT-4.
    /// </summary>
    public static FieldError? CheckWeighbridge(decimal? weighbridgeKg, AppointmentOptions? options = null)
    {
        var max = (options ?? AppointmentOptions.Default).MaxWeightKg;
        return weighbridgeKg is { } kg && (kg <= 0m || kg > max)
            ? new FieldError("weighbridgeKg", AppointmentCodes.InvalidWeight, $"weighbridgeKg, when given, is more than 0 and at most {max} kg.")
            : null;
    }

    /// <summary>
    /// APT-6: the key of the block a gate refusal sets: <c>{hub}|{plate key}|{yyyyMMdd}</c> with the China date,
    /// e.g. <c>hangzhou|ZJ-A12345|20261201</c> (the plate in its <see cref="VehiclePlate.ToKeySafe"/> form).
    /// Every refusal writes it (insert-or-keep); a booking looks it up for today's China date.
    /// </summary>
    public static string MakeUpBlockKey(string hub, string vehiclePlate, DateOnly chinaDay)
    {
        if (!Ids.IsKeySafe(hub))
        {
            throw new ArgumentException("The hub must be a key-safe id.", nameof(hub));
        }

        return $"{hub}|{VehiclePlate.ToKeySafe(vehiclePlate)}|{chinaDay.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
    }

    /// <summary>APT-6: the block key for the China day of <paramref name="instant"/> (a refusal time, or a booking's now).</summary>
    public static string MakeUpBlockKey(string hub, string vehiclePlate, DateTimeOffset instant)
        => MakeUpBlockKey(hub, vehiclePlate, ChinaTime.DateOf(instant));

    /// <summary>
    /// APT-6: whether <paramref name="vehiclePlate"/> may not be booked into <paramref name="hub"/> on
    /// <paramref name="chinaDay"/>, because it was refused at that hub's gate that day (any refusal code). The
    /// block lasts for the rest of that China calendar day and applies to any booking made then, whatever its ETA.
    /// </summary>
    public static bool MakeUpBlocked(string hub, string vehiclePlate, DateOnly chinaDay, IEnumerable<GateRefusal> refusals)
    {
        ArgumentNullException.ThrowIfNull(refusals);
        return refusals.Any(r => string.Equals(r.Hub, hub, StringComparison.Ordinal)
            && string.Equals(r.VehiclePlate, vehiclePlate, StringComparison.Ordinal)
            && ChinaTime.DateOf(r.RefusedAt) == chinaDay);
    }

    /// <summary>APT-6 for a booking made at <paramref name="now"/>: the refusal to give, or null when the plate is not blocked.</summary>
    public static FieldError? CheckMakeUp(string hub, string vehiclePlate, DateTimeOffset now, IEnumerable<GateRefusal> refusals)
        => MakeUpBlocked(hub, vehiclePlate, ChinaTime.DateOf(now), refusals) ? MakeUpError(hub) : null;

    internal static FieldError MakeUpError(string? hub)
        => new(VehiclePlate.Field, AppointmentCodes.SameDayMakeUp,
            $"This vehicle was refused at the {hub ?? "hub's"}{(hub is null ? "" : " hub's")} gate today; it cannot be booked into that hub again until tomorrow (China time; no same-day make-up booking, APT-6).");
}
