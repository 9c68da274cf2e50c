using HubFunctions.Core.Events;

namespace HubFunctions.Core.Appointments;

/// <summary>An appointment as stored, with the token (ETag) a conditional change must match and the gate arrival that last changed it.</summary>
public sealed record StoredAppointment(Appointment Appointment, string ConcurrencyToken, string? ArrivalId);

/// <summary>APT-7: the dock counter of one hub-hour as read: how many scheduled appointments hold it, and its token (null when no counter exists yet).</summary>
public sealed record SlotCount(string SlotKey, int Count, string? ConcurrencyToken);

/// <summary>
/// APT-6: the plate's day at a hub as read (<see cref="GateRules.MakeUpBlockKey(string, string, DateOnly)"/>): whether a
/// gate refusal blocks it, and the token a booking's claim must match (null when nothing touched that day yet).
/// </summary>
public sealed record PlateDay(bool Blocked, string? ConcurrencyToken);

/// <summary>A gate refusal to record (APT-6 blocks the plate at the hub for the rest of that China day).</summary>
public sealed record GateRefusalRecord(string ArrivalId, string Hub, string VehiclePlate, DateTimeOffset ArrivedAt, string Code, string? AppointmentId, decimal? WeighbridgeKg, string RecordedBy);

/// <summary>
/// Where appointments live. Every change is conditional on what was read (a token
/// mismatch throws <see cref="Common.ConcurrencyConflictException"/>) and commits its events in the same transaction.
/// </summary>
public interface IAppointmentStore
{
    /// <summary>The dock counter of the hub-hour of <paramref name="eta"/>.</summary>
    Task<SlotCount> ReadSlotAsync(string hub, DateTimeOffset eta, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new scheduled appointment and takes its slot (<paramref name="slot"/> + 1, conditional on the
    /// counter as read), with its events, atomically. Also returns normally when an earlier attempt of the same
    /// request stored it.
    /// </summary>
    Task AddAsync(Appointment appointment, SlotCount slot, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The appointment with this id at this hub, or null (also for an id that cannot be one).</summary>
    Task<StoredAppointment?> FindAsync(string hub, string appointmentId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces <paramref name="before"/> by <paramref name="after"/> if unchanged since read; when
    /// <paramref name="freesSlot"/>, gives its hub-hour back (counter − 1) in the same transaction.
    /// <paramref name="arrivalId"/> names the gate arrival that made the change, if any.
    /// </summary>
    Task UpdateAsync(StoredAppointment before, Appointment after, bool freesSlot, string? arrivalId, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The appointments at <paramref name="hub"/> whose ETA is on the China days <paramref name="from"/>..<paramref name="to"/>, optionally only a seller's or a plate's.</summary>
    Task<IReadOnlyList<StoredAppointment>> ListAsync(string hub, DateOnly from, DateOnly to, string? sellerId, string? vehiclePlate, CancellationToken cancellationToken);

    /// <summary>APT-8 index: the scheduled appointments of one hub-hour (the partition the hour names; never a scan).</summary>
    Task<IReadOnlyList<StoredAppointment>> ListScheduledAsync(string hub, DateTimeOffset slotHour, CancellationToken cancellationToken);

    /// <summary>APT-6: the day of <paramref name="vehiclePlate"/> at <paramref name="hub"/> on <paramref name="chinaDay"/>: blocked by a gate refusal or not, with its token.</summary>
    Task<PlateDay> ReadPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, CancellationToken cancellationToken);

    /// <summary>
    /// APT-6: a booking (or plate change) of <paramref name="appointmentId"/> claims the plate's day as <paramref name="read"/>
    /// (not blocked), conditional on its token: a gate refusal recorded since changes the same row, so the claim throws
    /// <see cref="Common.ConcurrencyConflictException"/> and the caller re-reads. Claims and refusals of a plate-day are
    /// thereby serialised: a booking either claimed before the refusal or sees it.
    /// </summary>
    Task ClaimPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, PlateDay read, string appointmentId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a gate refusal and the APT-6 block of its plate for that day, with its events, in one commit
    /// (idempotent per arrival id); the block moves the plate-day's token, so claims read before it fail.
    /// </summary>
    Task RecordRefusalAsync(GateRefusalRecord refusal, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>APT-8: the last UTC hour the no-show sweep fully covered; null before the first sweep.</summary>
    Task<DateTimeOffset?> ReadNoShowCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Moves the checkpoint forward to <paramref name="sweptThrough"/>, never back (an overlapping sweep may be further); returns where it stands.</summary>
    Task<DateTimeOffset> AdvanceNoShowCheckpointAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken);
}
