using System.Globalization;

namespace HubFunctions.Core.Appointments;

/// <summary>
/// APT-8 <b>[defined here]</b>: a scheduled appointment with no gate arrival by 2 hours after its hour is marked
/// <c>no-show</c>. "By" is inclusive: an arrival at exactly the hour + 2 h is in time; the appointment is a
/// no-show at any instant strictly after it.
/// </summary>
public static class NoShowRules
{
    /// <summary>APT-8: the grace after the booked hour.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromHours(2);

    /// <summary>Refusal code: the appointment is not a no-show yet.</summary>
    public const string NotDue = "no-show-not-due";

    /// <summary>APT-8: the instant after which a scheduled appointment without arrival is a no-show: eta + 2 h.</summary>
    public static DateTimeOffset NoShowDue(DateTimeOffset eta) => eta + Grace;

    /// <summary>APT-8: the vehicle may still be admitted at <paramref name="arrivedAt"/> (at or before the due time).</summary>
    public static bool InTime(DateTimeOffset eta, DateTimeOffset arrivedAt) => arrivedAt <= NoShowDue(eta);

    /// <summary>APT-8: <paramref name="appointment"/> is scheduled and <paramref name="now"/> is past its due time.</summary>
    public static bool IsNoShow(Appointment appointment, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(appointment);
        return appointment.Status == AppointmentStatus.Scheduled && now > NoShowDue(appointment.Eta);
    }

    /// <summary>
    /// The no-show index partition of an appointment: the <b>UTC</b> hour of its due time, <c>yyyyMMddHH</c>
    /// (10:00+08:00 → due 12:00+08:00 = 04:00Z → <c>2026120104</c>). UTC, like the outbox's minute index and the
    /// timers' NCRONTAB schedules, so a sweep needs no time-zone arithmetic; China has no DST, so each China hour
    /// is exactly one UTC hour. An index row is written with the booking and removed (or ignored) once the
    /// appointment leaves <c>scheduled</c>.
    /// </summary>
    public static string IndexKey(DateTimeOffset due) => due.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    /// <summary>The index key of an appointment's due time.</summary>
    public static string IndexKeyOf(Appointment appointment)
    {
        ArgumentNullException.ThrowIfNull(appointment);
        return IndexKey(appointment.NoShowDue);
    }

    /// <summary>
    /// The index partitions a sweep at <paramref name="now"/> reads, oldest first, after the checkpoint
    /// <paramref name="sweptThrough"/> (the last hour fully swept; null on the first run: only the current hour).
    /// Only hours whose due time has passed are complete: the current hour's partition is included, and the sweep
    /// filters its rows by <see cref="IsNoShow"/>; a later run sees the rest. Missed runs are caught up.
    /// </summary>
    public static IReadOnlyList<string> PartitionsToSweep(DateTimeOffset? sweptThrough, DateTimeOffset now)
    {
        var current = Hour(now);
        var first = sweptThrough is { } swept ? Hour(swept).AddHours(1) : current;
        var keys = new List<string>();
        for (var hour = first; hour <= current; hour = hour.AddHours(1))
        {
            keys.Add(IndexKey(hour));
        }

        return keys;
    }

    /// <summary>The last hour a sweep at <paramref name="now"/> has completely covered (the hour before the current one): the next checkpoint.</summary>
    public static DateTimeOffset CompletedThrough(DateTimeOffset now) => Hour(now).AddHours(-1);

    private static DateTimeOffset Hour(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, TimeSpan.Zero);
    }
}
