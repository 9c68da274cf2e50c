using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>A booking as the request gives it (API.md <c>POST /api/hubs/{hub}/appointments</c>): raw values, null when missing.</summary>
public sealed record BookingRequest(string? Eta, string? VehiclePlate, string? DriverName, string? DriverPhone, decimal? WeightKg, int? Cartons = null);

/// <summary>A booking whose every field passed: normalised values, ready to become an <see cref="Appointment"/>.</summary>
public sealed record ValidBooking(DateTimeOffset Eta, string VehiclePlate, string DriverName, string DriverPhone, decimal WeightKg, int? Cartons)
{
    /// <summary>The new <c>scheduled</c> appointment (its slot must still be taken under the capacity guard, APT-7).</summary>
    public Appointment ToAppointment(string appointmentId, string sellerId, string hub, DateTimeOffset now)
        => new(appointmentId, sellerId, hub, Eta, VehiclePlate, DriverName, DriverPhone, WeightKg, Cartons, AppointmentStatus.Scheduled, null, now);
}

/// <summary>The outcome of <see cref="AppointmentBooking.Check"/>: the valid booking, or every error (the first one is the answer's <c>code</c>).</summary>
public sealed record BookingCheck(ValidBooking? Booking, IReadOnlyList<FieldError> Errors, int? SplitInto)
{
    /// <summary>True when the booking may go on to the capacity check.</summary>
    public bool Accepted => Booking is not null;

    /// <summary>The first error's code, or null.</summary>
    public string? Code => Errors.Count == 0 ? null : Errors[0].Code;
}

/// <summary>
/// All field rules of a new booking, in one place, so every entry point refuses the same way. Order of the
/// errors (the first is what a problem response's <c>code</c> carries): APT-6 (a gate refusal today blocks
/// this plate at this hub: the driver hears that reason, not the 48-hour one), then <c>eta</c> (APT-2,
/// APT-1, <c>eta-too-far</c>), <c>vehiclePlate</c> and <c>driverPhone</c> (APT-3), <c>driverName</c>,
/// <c>weightKg</c> (APT-4 with <c>splitInto</c>), <c>cartons</c>. Not here: the freeze check (CMP-3 / APT-9,
/// a 403 before any of this) and the dock capacity (APT-7, decided against the stored count).
/// </summary>
public static class AppointmentBooking
{
    /// <summary>Longest driver name accepted (decided here).</summary>
    public const int MaxDriverNameLength = 64;

    /// <summary>Most cartons accepted (decided here: a sanity bound for a 3-tonne vehicle).</summary>
    public const int MaxCartons = 10_000;

    /// <summary>Error code: a driver name or carton count that is not acceptable.</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>
    /// Checks a booking made at <paramref name="now"/>. <paramref name="plateBlockedToday"/> answers, for a
    /// normalised plate, whether a gate refusal today (China date of <paramref name="now"/>) blocks it at this
    /// hub (APT-6; see <see cref="GateRules.MakeUpBlockKey(string, string, DateOnly)"/>).
    /// </summary>
    public static BookingCheck Check(BookingRequest request, DateTimeOffset now, AppointmentOptions? options = null, Func<string, bool>? plateBlockedToday = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var etaErrors = AppointmentRules.CheckEta(request.Eta, now, out var eta, options);
        var plateOk = VehiclePlate.TryNormalise(request.VehiclePlate, out var plate, out var plateError);
        if (plateOk && plateBlockedToday?.Invoke(plate) == true)
        {
            errors.Add(GateRules.MakeUpError(null));
        }

        errors.AddRange(etaErrors);
        if (!plateOk)
        {
            errors.Add(plateError!);
        }

        if (!DriverPhone.TryNormalise(request.DriverPhone, out var phone, out var phoneError))
        {
            errors.Add(phoneError);
        }

        var name = request.DriverName?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new FieldError("driverName", AppointmentCodes.Required, "driverName is required."));
        }
        else if (name.Length > MaxDriverNameLength || name.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
        {
            errors.Add(new FieldError("driverName", InvalidValue, $"driverName is 1-{MaxDriverNameLength} characters without control or invisible formatting characters."));
        }

        var weight = AppointmentRules.CheckWeight(request.WeightKg, options);
        if (!weight.Accepted)
        {
            errors.Add(weight.Error);
        }

        if (request.Cartons is < 1 or > MaxCartons)
        {
            errors.Add(new FieldError("cartons", InvalidValue, $"cartons, when given, is 1-{MaxCartons}."));
        }

        return errors.Count > 0
            ? new BookingCheck(null, errors, weight.SplitInto)
            : new BookingCheck(new ValidBooking(eta, plate, name!, phone, request.WeightKg!.Value, request.Cartons), [], null);
    }
}
