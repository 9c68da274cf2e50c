using System.Globalization;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>
/// APT-7 <b>[defined here]</b>: each hub has a dock capacity per hour (configurable, default 10 vehicles) and
/// concurrent bookings never exceed it. The storage layer keeps one counter per <see cref="SlotKey"/> and
/// increments it under an ETag guard only when <see cref="Fits(int, int)"/>; cancellations (seller or APT-4)
/// decrement it (<see cref="AppointmentTransition.FreesSlot"/>).
/// </summary>
public static class DockCapacity
{
    /// <summary>
    /// The hub-hour a booking takes: <c>{hub}|{yyyyMMddHH}</c> with the hour in Asia/Shanghai, e.g.
    /// <c>hangzhou|2026120110</c> for 2026-12-01T02:00:00Z. An instant inside an hour maps to that hour (a valid
    /// ETA is on the hour anyway, APT-2). Key-safe for Table Storage (no <c>/ \ # ?</c>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="hub"/> is not a key-safe id.</exception>
    public static string SlotKey(string hub, DateTimeOffset eta)
    {
        if (!Ids.IsKeySafe(hub))
        {
            throw new ArgumentException("The hub must be a key-safe id.", nameof(hub));
        }

        return hub + "|" + ChinaTime.ToChina(eta).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
    }

    /// <summary>The start of the China hour that holds <paramref name="instant"/>, at +08:00.</summary>
    public static DateTimeOffset SlotStart(DateTimeOffset instant)
    {
        var china = ChinaTime.ToChina(instant);
        return new DateTimeOffset(china.Ticks - china.Ticks % TimeSpan.TicksPerHour, ChinaTime.Offset);
    }

    /// <summary>APT-7: one more booking fits when fewer than <paramref name="capacity"/> are already scheduled in the slot.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count, or a capacity below 1.</exception>
    public static bool Fits(int currentCount, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(currentCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return currentCount < capacity;
    }

    /// <summary>APT-7 for <paramref name="hub"/> with its configured capacity.</summary>
    public static bool Fits(string hub, int currentCount, AppointmentOptions? options = null)
        => Fits(currentCount, (options ?? AppointmentOptions.Default).DockCapacityFor(hub));

    /// <summary>The refusal when the slot is full: field <c>eta</c>, code <c>capacity-full</c> (a 409), or null when it fits.</summary>
    public static FieldError? CheckFits(string hub, DateTimeOffset eta, int currentCount, AppointmentOptions? options = null)
    {
        var capacity = (options ?? AppointmentOptions.Default).DockCapacityFor(hub);
        return Fits(currentCount, capacity)
            ? null
            : new FieldError(AppointmentRules.EtaField, AppointmentCodes.CapacityFull,
                $"The {hub} docks are fully booked for {SlotStart(eta).ToString("yyyy-MM-dd HH:00", CultureInfo.InvariantCulture)} (China time): {capacity} vehicles per hour (APT-7). Choose another hour.");
    }
}
