namespace HubFunctions.Core.Appointments;

/// <summary>
/// The <c>code</c> values of appointment refusals: a rule id where a rule of DOMAIN.md decides, a
/// stable kebab-case code where the refusal is ours (a sanity bound, a state conflict).
/// </summary>
public static class AppointmentCodes
{
    /// <summary>APT-1: booked less than 48 hours ahead, or the arrival is in the past.</summary>
    public const string LeadTime = "APT-1";

    /// <summary>APT-2: the arrival is not on the hour in +08:00, or it has no explicit offset.</summary>
    public const string HourPrecision = "APT-2";

    /// <summary>APT-3: the vehicle plate or the driver's phone is not in mainland format.</summary>
    public const string PlateOrPhone = "APT-3";

    /// <summary>APT-4: more than 3,000 kg for one vehicle (with <c>splitInto</c>), or a weighbridge reading over it.</summary>
    public const string Overweight = "APT-4";

    /// <summary>APT-5: no scheduled appointment at that hub, for that plate, on that China calendar day.</summary>
    public const string NoAppointment = "APT-5";

    /// <summary>APT-6: same-day make-up booking after a refusal at the gate.</summary>
    public const string SameDayMakeUp = "APT-6";

    /// <summary>APT-7: the hub-hour is at dock capacity.</summary>
    public const string CapacityFull = "capacity-full";

    /// <summary>APT-8: the vehicle arrived after its appointment's no-show deadline (hour + 2 h).</summary>
    public const string NoShow = "APT-8";

    /// <summary>CMP-3 / APT-9: the seller is frozen.</summary>
    public const string Frozen = "CMP-3";

    /// <summary>The arrival is further ahead than the booking horizon (<see cref="AppointmentOptions.BookingHorizon"/>).</summary>
    public const string EtaTooFar = "eta-too-far";

    /// <summary>The weight is zero, negative or above the sanity bound (<see cref="AppointmentOptions.MaxWeightKg"/>).</summary>
    public const string InvalidWeight = "invalid-weight";

    /// <summary>A required field is missing.</summary>
    public const string Required = "required";

    /// <summary>The appointment has already been admitted once (one admission per appointment).</summary>
    public const string AlreadyAdmitted = "already-admitted";

    /// <summary>The transition is not allowed from the appointment's current status.</summary>
    public const string InvalidState = "invalid-state";
}
