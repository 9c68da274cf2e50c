using System.Globalization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Appointments;

/// <summary>
/// Appointments in <see cref="StorageNames.AppointmentsTable"/>, one partition per hub-hour
/// (<see cref="DockCapacity.SlotKey"/>, <c>hangzhou|2026120110</c>): the dock counter at row <see cref="SlotRow"/>
/// and each appointment at <c>appt|{id}</c>. A booking adds the appointment and moves the counter (under its
/// ETag, or insert-only when it is new) in one transaction with its outbox rows, so concurrent bookings never
/// exceed the capacity; a cancellation moves it back in the same way. The id names the hour (<see cref="AppointmentIds"/>),
/// so a lookup by id is a point read; a day is 24 adjacent partitions (one range query); the no-show sweep
/// reads the single partition an hour names. Gate refusals and the APT-6 plate-days are in
/// <see cref="StorageNames.GateArrivalsTable"/>, one partition per hub, plate and China day
/// (<see cref="GateRules.MakeUpBlockKey(string, string, DateOnly)"/>): the row <see cref="PlateDayRow"/>
/// (<c>Blocked</c> once a refusal was recorded; bookings of that plate made that day claim it under its ETag, and a
/// refusal rewrites it, so claim and refusal are serialised) and <c>refusal|{arrivalId}</c> each, the refusal, its
/// block and <c>hub.appointment.refused</c> in one commit.
/// </summary>
public sealed class TableAppointmentStore(HubStorage storage, TableOutbox outbox, ForwardCheckpoint checkpoint) : IAppointmentStore
{
    public const string SlotRow = "slot";
    public const string RowPrefix = "appt|";
    public const string PlateDayRow = "plate-day";
    public const string BlockedProperty = "Blocked";
    public static readonly CheckpointRow NoShowCheckpoint = new("noshow-sweep", "checkpoint");

    public async Task<SlotCount> ReadSlotAsync(string hub, DateTimeOffset eta, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = DockCapacity.SlotKey(hub, eta);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(key, SlotRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? new SlotCount(key, e.GetInt32("Count") ?? 0, e.ETag.ToString()) : new SlotCount(key, 0, null);
    }

    public async Task AddAsync(Appointment appointment, SlotCount slot, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var counter = new TableEntity(slot.SlotKey, SlotRow) { ["Count"] = slot.Count + 1 };
        await outbox.CommitAsync(table, slot.SlotKey,
        [
            slot.ConcurrencyToken is null ? new(TableTransactionActionType.Add, counter) : new(TableTransactionActionType.UpdateReplace, counter, new ETag(slot.ConcurrencyToken)),
            new(TableTransactionActionType.Add, ToEntity(appointment, null)),
        ], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredAppointment?> FindAsync(string hub, string appointmentId, CancellationToken cancellationToken)
    {
        if (!AppointmentIds.TryParseHour(appointmentId, out var hour) || !Core.Hubs.Hubs.Exists(hub))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(DockCapacity.SlotKey(hub, hour), RowPrefix + appointmentId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? FromEntity(e) : null;
    }

    public async Task UpdateAsync(StoredAppointment before, Appointment after, bool freesSlot, string? arrivalId, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = before.Appointment.SlotKey;
        var changes = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.UpdateReplace, ToEntity(after, arrivalId ?? before.ArrivalId), new ETag(before.ConcurrencyToken)),
        };
        if (freesSlot)
        {
            var slot = await ReadSlotAsync(before.Appointment.Hub, before.Appointment.Eta, cancellationToken).ConfigureAwait(false);
            changes.Add(new(TableTransactionActionType.UpdateReplace, new TableEntity(key, SlotRow) { ["Count"] = Math.Max(0, slot.Count - 1) },
                slot.ConcurrencyToken is null ? ETag.All : new ETag(slot.ConcurrencyToken)));
        }

        await outbox.CommitAsync(table, key, changes, events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredAppointment>> ListAsync(string hub, DateOnly from, DateOnly to, string? sellerId, string? vehiclePlate, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {DayKey(hub, from)} and PartitionKey lt {DayKey(hub, to.AddDays(1))} and RowKey ge {RowPrefix} and RowKey lt {"appt}"}");
        if (sellerId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SellerId eq {sellerId}");
        }

        if (vehiclePlate is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"VehiclePlate eq {vehiclePlate}");
        }

        return await Query(table, filter, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredAppointment>> ListScheduledAsync(string hub, DateTimeOffset slotHour, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var status = AppointmentWire.Name(AppointmentStatus.Scheduled);
        return await Query(table, TableClient.CreateQueryFilter($"PartitionKey eq {DockCapacity.SlotKey(hub, slotHour)} and Status eq {status}"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<PlateDay> ReadPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, CancellationToken cancellationToken)
    {
        var table = await GateTable(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(GateRules.MakeUpBlockKey(hub, vehiclePlate, chinaDay), PlateDayRow, [BlockedProperty], cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? new PlateDay(e.GetBoolean(BlockedProperty) == true, e.ETag.ToString()) : new PlateDay(false, null);
    }

    public async Task ClaimPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, PlateDay read, string appointmentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        var table = await GateTable(cancellationToken).ConfigureAwait(false);
        var key = GateRules.MakeUpBlockKey(hub, vehiclePlate, chinaDay);
        var claim = new TableEntity(key, PlateDayRow) { ["LastClaim"] = appointmentId };
        TableTransactionAction change = read.ConcurrencyToken is null
            ? new(TableTransactionActionType.Add, new TableEntity(claim) { ["Hub"] = hub, ["VehiclePlate"] = vehiclePlate, [BlockedProperty] = false })
            : new(TableTransactionActionType.UpdateMerge, claim, new ETag(read.ConcurrencyToken));
        await outbox.CommitAsync(table, key, [change], [], cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordRefusalAsync(GateRefusalRecord refusal, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var table = await GateTable(cancellationToken).ConfigureAwait(false);
        var key = GateRules.MakeUpBlockKey(refusal.Hub, refusal.VehiclePlate, refusal.ArrivedAt);
        await outbox.CommitAsync(table, key,
        [
            new(TableTransactionActionType.UpsertMerge, new TableEntity(key, PlateDayRow) { ["Hub"] = refusal.Hub, ["VehiclePlate"] = refusal.VehiclePlate, [BlockedProperty] = true, ["LastRefusal"] = refusal.ArrivalId }),
            new(TableTransactionActionType.Add, new TableEntity(key, "refusal|" + refusal.ArrivalId)
            {
                ["Hub"] = refusal.Hub,
                ["VehiclePlate"] = refusal.VehiclePlate,
                ["ArrivedAt"] = refusal.ArrivedAt,
                ["Code"] = refusal.Code,
                ["AppointmentId"] = refusal.AppointmentId,
                ["WeighbridgeKg"] = refusal.WeighbridgeKg?.ToString(CultureInfo.InvariantCulture),
                ["RecordedBy"] = refusal.RecordedBy,
            }),
        ], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DateTimeOffset?> ReadNoShowCheckpointAsync(CancellationToken cancellationToken)
        => await checkpoint.ReadAsync(await Table(cancellationToken).ConfigureAwait(false), NoShowCheckpoint, cancellationToken).ConfigureAwait(false);

    public async Task<DateTimeOffset> AdvanceNoShowCheckpointAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), NoShowCheckpoint, sweptThrough, cancellationToken).ConfigureAwait(false);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.AppointmentsTable, cancellationToken);

    private Task<TableClient> GateTable(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.GateArrivalsTable, cancellationToken);

    private static string DayKey(string hub, DateOnly day) => hub + "|" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static async Task<IReadOnlyList<StoredAppointment>> Query(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var found = new List<StoredAppointment>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(FromEntity(e));
        }

        return found;
    }

    private static TableEntity ToEntity(Appointment a, string? arrivalId) => new(a.SlotKey, RowPrefix + a.AppointmentId)
    {
        ["SellerId"] = a.SellerId,
        ["Hub"] = a.Hub,
        ["Eta"] = a.Eta,
        ["VehiclePlate"] = a.VehiclePlate,
        ["DriverName"] = a.DriverName,
        ["DriverPhone"] = a.DriverPhone,
        ["WeightKg"] = a.WeightKg.ToString(CultureInfo.InvariantCulture),
        ["Cartons"] = a.Cartons,
        ["Status"] = AppointmentWire.Name(a.Status),
        ["CancellationReason"] = a.CancellationReason is { } r ? AppointmentWire.Name(r) : null,
        ["StatusChangedAt"] = a.StatusChangedAt,
        ["ArrivalId"] = arrivalId,
    };

    private static StoredAppointment FromEntity(TableEntity e) => new(new Appointment(
        e.RowKey[RowPrefix.Length..],
        e.GetString("SellerId")!,
        e.GetString("Hub")!,
        Core.Calendar.ChinaTime.ToChina(e.GetDateTimeOffset("Eta")!.Value),
        e.GetString("VehiclePlate")!,
        e.GetString("DriverName")!,
        e.GetString("DriverPhone")!,
        decimal.Parse(e.GetString("WeightKg")!, NumberStyles.Number, CultureInfo.InvariantCulture),
        e.GetInt32("Cartons"),
        AppointmentWire.ParseStatus(e.GetString("Status")) ?? throw new InvalidOperationException($"Appointment {e.RowKey} has an unknown status."),
        AppointmentWire.ParseReason(e.GetString("CancellationReason")),
        e.GetDateTimeOffset("StatusChangedAt")!.Value), e.ETag.ToString(), e.GetString("ArrivalId"));
}
