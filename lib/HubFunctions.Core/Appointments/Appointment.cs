using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>Where an appointment stands. Only <see cref="Scheduled"/> changes; the others are final.</summary>
public enum AppointmentStatus
{
    /// <summary>Booked; waiting for the vehicle (wire: <c>scheduled</c>).</summary>
    Scheduled,

    /// <summary>The vehicle was let in at the gate, once (APT-5; wire: <c>admitted</c>).</summary>
    Admitted,

    /// <summary>Cancelled by the seller or for overweight (APT-4; wire: <c>cancelled</c>).</summary>
    Cancelled,

    /// <summary>No gate arrival by the hour + 2 h (APT-8; wire: <c>no-show</c>).</summary>
    NoShow,
}

/// <summary>Why an appointment was cancelled.</summary>
public enum CancellationReason
{
    /// <summary>The seller cancelled it (wire: <c>seller</c>).</summary>
    Seller,

    /// <summary>APT-4: its weight went above 3,000 kg (a change, or the weighbridge at the gate) (wire: <c>APT-4</c>).</summary>
    Overweight,
}

/// <summary>The integration event types of appointments (API.md "Events", issue 10).</summary>
public static class AppointmentEvents
{
    public const string Scheduled = "hub.appointment.scheduled";
    public const string Cancelled = "hub.appointment.cancelled";
    public const string Admitted = "hub.appointment.admitted";
    public const string Refused = "hub.appointment.refused";
    public const string NoShow = "hub.appointment.no-show";
}

/// <summary>The wire names of statuses and reasons, as API.md writes them.</summary>
public static class AppointmentWire
{
    /// <summary><c>scheduled</c>, <c>admitted</c>, <c>cancelled</c>, <c>no-show</c>.</summary>
    public static string Name(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Scheduled => "scheduled",
        AppointmentStatus.Admitted => "admitted",
        AppointmentStatus.Cancelled => "cancelled",
        AppointmentStatus.NoShow => "no-show",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary><c>seller</c>, <c>APT-4</c>.</summary>
    public static string Name(CancellationReason reason) => reason switch
    {
        CancellationReason.Seller => "seller",
        CancellationReason.Overweight => AppointmentCodes.Overweight,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>The status a wire name stands for (exact, case-sensitive), or null.</summary>
    public static AppointmentStatus? ParseStatus(string? name)
        => Enum.GetValues<AppointmentStatus>().Select(s => (AppointmentStatus?)s).FirstOrDefault(s => string.Equals(Name(s!.Value), name, StringComparison.Ordinal));

    /// <summary>The reason a wire name stands for (exact, case-sensitive), or null.</summary>
    public static CancellationReason? ParseReason(string? name)
        => Enum.GetValues<CancellationReason>().Select(r => (CancellationReason?)r).FirstOrDefault(r => string.Equals(Name(r!.Value), name, StringComparison.Ordinal));
}

/// <summary>
/// A PATCH of an appointment (API.md): the raw new values, null for "unchanged". Plate and phone are
/// re-validated (APT-3); a weight above 3,000 kg cancels the appointment (APT-4).
/// </summary>
public sealed record AppointmentChange(string? VehiclePlate = null, string? DriverPhone = null, decimal? WeightKg = null);

/// <summary>
/// An inbound appointment and its state machine:
/// <c>scheduled</c> → <c>admitted</c> (gate, APT-5) / <c>cancelled</c> (reason <c>seller</c> or <c>APT-4</c>) /
/// <c>no-show</c> (APT-8). Every other transition is refused with <c>invalid-state</c>, naming the current
/// status; changes are possible only while <c>scheduled</c>. Values are normalised (plate, 11-digit phone) and
/// the ETA is on the China hour; build new ones with <see cref="AppointmentBooking"/>.
/// </summary>
public sealed record Appointment(
    string AppointmentId,
    string SellerId,
    string Hub,
    DateTimeOffset Eta,
    string VehiclePlate,
    string DriverName,
    string DriverPhone,
    decimal WeightKg,
    int? Cartons,
    AppointmentStatus Status,
    CancellationReason? CancellationReason,
    DateTimeOffset StatusChangedAt)
{
    /// <summary>APT-8: when this appointment becomes a no-show without a gate arrival.</summary>
    public DateTimeOffset NoShowDue => NoShowRules.NoShowDue(Eta);

    /// <summary>APT-7: the hub-hour this appointment occupies while scheduled.</summary>
    public string SlotKey => DockCapacity.SlotKey(Hub, Eta);

    /// <summary>APT-5: the vehicle is let in at the gate at <paramref name="at"/>. Only from <c>scheduled</c>; a second admission is refused with <c>already-admitted</c>.</summary>
    public AppointmentTransition Admit(DateTimeOffset at)
    {
        if (Status == AppointmentStatus.Admitted)
        {
            return AppointmentTransition.Refuse(this, AppointmentCodes.AlreadyAdmitted, $"Appointment {AppointmentId} has already been admitted; one admission per appointment.");
        }

        return Status != AppointmentStatus.Scheduled
            ? IllegalFrom("admitted")
            : AppointmentTransition.Move(this, this with { Status = AppointmentStatus.Admitted, StatusChangedAt = at }, AppointmentEvents.Admitted);
    }

    /// <summary>Cancels: by the seller (DELETE), or for APT-4 (a change or the weighbridge above 3,000 kg). Only from <c>scheduled</c>; frees the slot.</summary>
    public AppointmentTransition Cancel(CancellationReason reason, DateTimeOffset at)
        => Status != AppointmentStatus.Scheduled
            ? IllegalFrom("cancelled")
            : AppointmentTransition.Move(this, this with { Status = AppointmentStatus.Cancelled, CancellationReason = reason, StatusChangedAt = at }, AppointmentEvents.Cancelled);

    /// <summary>
    /// APT-8: marks a scheduled appointment <c>no-show</c> once <paramref name="now"/> is past <see cref="NoShowDue"/>
    /// (strictly: an arrival at exactly the hour + 2 h is still in time). Before that: <c>no-show-not-due</c>.
    /// </summary>
    public AppointmentTransition MarkNoShow(DateTimeOffset now)
    {
        if (Status != AppointmentStatus.Scheduled)
        {
            return IllegalFrom("no-show");
        }

        return NoShowRules.IsNoShow(this, now)
            ? AppointmentTransition.Move(this, this with { Status = AppointmentStatus.NoShow, StatusChangedAt = now }, AppointmentEvents.NoShow)
            : AppointmentTransition.Refuse(this, NoShowRules.NotDue, $"Appointment {AppointmentId} is not a no-show before {NoShowDue:O}.");
    }

    /// <summary>
    /// A PATCH, only while <c>scheduled</c>. Plate and phone are re-validated (APT-3) and a weight re-checked:
    /// invalid values refuse the whole change (nothing changes). A valid weight above 3,000 kg applies the change
    /// and cancels the appointment with reason APT-4 (<see cref="AppointmentTransition.SplitInto"/> says into how
    /// many vehicles to rebook). A new plate for which <paramref name="plateBlockedToday"/> says a gate refusal
    /// blocks same-day bookings at this hub is refused with APT-6. A change that changes nothing is a no-op.
    /// </summary>
    public AppointmentTransition Change(AppointmentChange change, DateTimeOffset at, AppointmentOptions? options = null, Func<string, bool>? plateBlockedToday = null)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (Status != AppointmentStatus.Scheduled)
        {
            return IllegalFrom("changed");
        }

        var errors = new List<FieldError>();
        var next = this;
        if (change.VehiclePlate is not null)
        {
            if (!Appointments.VehiclePlate.TryNormalise(change.VehiclePlate, out var plate, out var plateError))
            {
                errors.Add(plateError);
            }
            else if (!string.Equals(plate, VehiclePlate, StringComparison.Ordinal) && plateBlockedToday?.Invoke(plate) == true)
            {
                errors.Add(GateRules.MakeUpError(Hub));
            }
            else
            {
                next = next with { VehiclePlate = plate };
            }
        }

        if (change.DriverPhone is not null)
        {
            if (Appointments.DriverPhone.TryNormalise(change.DriverPhone, out var phone, out var phoneError))
            {
                next = next with { DriverPhone = phone };
            }
            else
            {
                errors.Add(phoneError);
            }
        }

        int? splitInto = null;
        if (change.WeightKg is { } kg)
        {
            var weight = AppointmentRules.CheckWeight(kg, options);
            if (weight.Accepted || weight.Error.Code == AppointmentCodes.Overweight)
            {
                next = next with { WeightKg = kg };
                splitInto = weight.SplitInto;
            }
            else
            {
                errors.Add(weight.Error);
            }
        }

        if (errors.Count > 0)
        {
            return new AppointmentTransition(this, this, errors, null, null);
        }

        if (splitInto is not null)
        {
            var cancelled = next with { Status = AppointmentStatus.Cancelled, CancellationReason = Appointments.CancellationReason.Overweight, StatusChangedAt = at };
            return new AppointmentTransition(this, cancelled, [], AppointmentEvents.Cancelled, splitInto);
        }

        return new AppointmentTransition(this, next, [], null, null);
    }

    private AppointmentTransition IllegalFrom(string wanted)
        => AppointmentTransition.Refuse(this, AppointmentCodes.InvalidState,
            $"Appointment {AppointmentId} is {AppointmentWire.Name(Status)}; it cannot be {wanted} (only a scheduled appointment can).");
}

/// <summary>
/// The result of a state-machine step: the appointment before and after, the errors that refused it (empty on
/// success; the appointment is then unchanged), the event type to publish (null when none), and for an APT-4
/// cancellation the number of vehicles to split into.
/// </summary>
public sealed record AppointmentTransition(Appointment Before, Appointment After, IReadOnlyList<FieldError> Errors, string? EventType, int? SplitInto)
{
    /// <summary>True when the step was allowed.</summary>
    public bool Succeeded => Errors.Count == 0;

    /// <summary>The first error's code (what a 4xx answer carries), or null.</summary>
    public string? Code => Errors.Count == 0 ? null : Errors[0].Code;

    /// <summary>The status the appointment had when the step was asked for (named in refusals).</summary>
    public AppointmentStatus CurrentStatus => Before.Status;

    /// <summary>APT-7: the step releases the appointment's hub-hour (it left <c>scheduled</c> by cancellation).</summary>
    public bool FreesSlot => Before.Status == AppointmentStatus.Scheduled && After.Status == AppointmentStatus.Cancelled;

    /// <summary>True when something was stored differently after the step.</summary>
    public bool Changed => Before != After;

    internal static AppointmentTransition Move(Appointment before, Appointment after, string eventType) => new(before, after, [], eventType, null);

    internal static AppointmentTransition Refuse(Appointment current, string code, string message)
        => new(current, current, [new FieldError("status", code, message)], null, null);
}
