using HubFunctions.Core.Appointments;
using HubFunctions.Core.Events;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>
/// The real appointment store with one-shot hooks at the points a race or a crash matters: after a plate-day read
/// (before the caller's claim) and before a refusal's commit. Each hook fires once, on the first call after it is set.
/// </summary>
public sealed class HookedAppointmentStore
{
    private Func<Task>? _afterPlateDayRead;
    private Func<Task>? _beforeRecordRefusal;

    public bool Fired { get; private set; }

    public void AfterPlateDayRead(Func<Task> action) => _afterPlateDayRead = action;

    public void BeforeRecordRefusal(Func<Task> action) => _beforeRecordRefusal = action;

    public IAppointmentStore Wrap(IAppointmentStore inner) => new Store(inner, this);

    private Task RunAsync(Func<Task>? action)
    {
        Fired |= action is not null;
        return action?.Invoke() ?? Task.CompletedTask;
    }

    private Task AfterReadAsync() => RunAsync(Interlocked.Exchange(ref _afterPlateDayRead, null));

    private Task BeforeRefusalAsync() => RunAsync(Interlocked.Exchange(ref _beforeRecordRefusal, null));

    private sealed class Store(IAppointmentStore inner, HookedAppointmentStore hooks) : IAppointmentStore
    {
        public async Task<PlateDay> ReadPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, CancellationToken cancellationToken)
        {
            var read = await inner.ReadPlateDayAsync(hub, vehiclePlate, chinaDay, cancellationToken);
            await hooks.AfterReadAsync();
            return read;
        }

        public async Task RecordRefusalAsync(GateRefusalRecord refusal, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        {
            await hooks.BeforeRefusalAsync();
            await inner.RecordRefusalAsync(refusal, events, cancellationToken);
        }

        public Task<SlotCount> ReadSlotAsync(string hub, DateTimeOffset eta, CancellationToken cancellationToken) => inner.ReadSlotAsync(hub, eta, cancellationToken);

        public Task AddAsync(Appointment appointment, SlotCount slot, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken) => inner.AddAsync(appointment, slot, events, cancellationToken);

        public Task<StoredAppointment?> FindAsync(string hub, string appointmentId, CancellationToken cancellationToken) => inner.FindAsync(hub, appointmentId, cancellationToken);

        public Task UpdateAsync(StoredAppointment before, Appointment after, bool freesSlot, string? arrivalId, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
            => inner.UpdateAsync(before, after, freesSlot, arrivalId, events, cancellationToken);

        public Task<IReadOnlyList<StoredAppointment>> ListAsync(string hub, DateOnly from, DateOnly to, string? sellerId, string? vehiclePlate, CancellationToken cancellationToken)
            => inner.ListAsync(hub, from, to, sellerId, vehiclePlate, cancellationToken);

        public Task<IReadOnlyList<StoredAppointment>> ListScheduledAsync(string hub, DateTimeOffset slotHour, CancellationToken cancellationToken) => inner.ListScheduledAsync(hub, slotHour, cancellationToken);

        public Task ClaimPlateDayAsync(string hub, string vehiclePlate, DateOnly chinaDay, PlateDay read, string appointmentId, CancellationToken cancellationToken)
            => inner.ClaimPlateDayAsync(hub, vehiclePlate, chinaDay, read, appointmentId, cancellationToken);

        public Task<DateTimeOffset?> ReadNoShowCheckpointAsync(CancellationToken cancellationToken) => inner.ReadNoShowCheckpointAsync(cancellationToken);

        public Task<DateTimeOffset> AdvanceNoShowCheckpointAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken) => inner.AdvanceNoShowCheckpointAsync(sweptThrough, cancellationToken);
    }
}
