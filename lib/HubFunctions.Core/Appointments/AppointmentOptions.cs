namespace HubFunctions.Core.Appointments;

/// <summary>
/// The appointment settings a deployment may change (bound from configuration, section <see cref="Section"/>).
/// The article's numbers (48 hours, 3,000 kg, the hour precision) are law and live as constants in
/// <see cref="AppointmentRules"/>; only the values DOMAIN.md marks <b>[defined here]</b> or leaves open are here.
/// </summary>
public sealed record AppointmentOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Appointments";

    /// <summary>The defaults: capacity 10 per hub-hour, 90-day horizon, 100,000 kg sanity bound.</summary>
    public static AppointmentOptions Default { get; } = new();

    /// <summary>APT-7 <b>[defined here]</b>: vehicles per hub per hour unless <see cref="DockCapacityByHub"/> says otherwise. Default 10.</summary>
    public int DockCapacityPerHour { get; init; } = 10;

    /// <summary>APT-7: per-hub overrides of <see cref="DockCapacityPerHour"/>, keyed by hub id (e.g. <c>hangzhou</c>).</summary>
    public IReadOnlyDictionary<string, int> DockCapacityByHub { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>
    /// How far ahead an arrival may be booked (decided here; DOMAIN.md is silent): 90 days. Exactly 90 days
    /// ahead is accepted, more is refused with <c>eta-too-far</c>: a booking a season ahead is a typo (a wrong
    /// year) far more often than a plan, and it would hold dock capacity nobody can use meanwhile.
    /// </summary>
    public TimeSpan BookingHorizon { get; init; } = TimeSpan.FromDays(90);

    /// <summary>
    /// The largest weight accepted as a number at all (decided here): 100,000 kg. Above it the booking is refused
    /// with <c>invalid-weight</c> rather than APT-4 with a <c>splitInto</c> of 34 or more: that is a data-entry
    /// error (grams for kilograms), not a delivery to split.
    /// </summary>
    public decimal MaxWeightKg { get; init; } = 100_000m;

    /// <summary>APT-7: the dock capacity per hour of <paramref name="hub"/>.</summary>
    public int DockCapacityFor(string hub) => DockCapacityByHub.TryGetValue(hub, out var capacity) ? capacity : DockCapacityPerHour;

    /// <summary>What is wrong with these settings (empty when they are usable); the host refuses to start otherwise.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (DockCapacityPerHour < 1)
        {
            problems.Add($"{Section}:{nameof(DockCapacityPerHour)} must be at least 1; got {DockCapacityPerHour}.");
        }

        problems.AddRange(DockCapacityByHub.Where(h => h.Value < 1).Select(h => $"{Section}:{nameof(DockCapacityByHub)}:{h.Key} must be at least 1; got {h.Value}."));
        if (BookingHorizon < AppointmentRules.MinimumLeadTime)
        {
            problems.Add($"{Section}:{nameof(BookingHorizon)} must be at least the 48-hour lead time (APT-1); got {BookingHorizon}.");
        }

        if (MaxWeightKg < AppointmentRules.MaxKgPerVehicle)
        {
            problems.Add($"{Section}:{nameof(MaxWeightKg)} must be at least {AppointmentRules.MaxKgPerVehicle} kg (APT-4); got {MaxWeightKg}.");
        }

        return problems;
    }
}
