using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>The outcome of the APT-4 weight check of a booking or a change.</summary>
/// <param name="Error">Why the weight is refused, or null when it is accepted.</param>
/// <param name="SplitInto">For an APT-4 refusal, ⌈kg / 3000⌉: the number of vehicles to split the delivery into.</param>
public readonly record struct WeightCheck(FieldError? Error, int? SplitInto)
{
    /// <summary>True when the weight may be booked.</summary>
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Accepted => Error is null;
}

/// <summary>
/// The rules of a booking's arrival time and weight: APT-1 (48-hour lead time), APT-2 (on the hour in
/// +08:00, explicit offset), APT-4 (3,000 kg per vehicle). Pure: the current time is a parameter.
/// </summary>
public static partial class AppointmentRules
{
    /// <summary>The field name of the arrival time.</summary>
    public const string EtaField = "eta";

    /// <summary>The field name of the weight.</summary>
    public const string WeightField = "weightKg";

    /// <summary>APT-4: at most 3 tonnes per vehicle.</summary>
    public const decimal MaxKgPerVehicle = 3000m;

    /// <summary>APT-1: every delivery is booked at least 48 hours before its expected arrival.</summary>
    public static readonly TimeSpan MinimumLeadTime = TimeSpan.FromHours(48);

    /// <summary>Longest raw ETA string looked at.</summary>
    private const int MaxEtaLength = 64;

    // RFC 3339 date-time (section 5.6): full-date "T" full-time; seconds required, any fraction, offset optional
    // here only so that its absence can be reported as APT-2 rather than as garbage. ASCII digits only.
    [GeneratedRegex(@"^(?<y>[0-9]{4})-(?<mo>[0-9]{2})-(?<d>[0-9]{2})[Tt](?<h>[0-9]{2}):(?<mi>[0-9]{2}):(?<s>[0-9]{2})(?:\.(?<f>[0-9]+))?(?<off>[Zz]|(?<sign>[+-])(?<oh>[0-9]{2}):(?<om>[0-9]{2}))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    /// <summary>
    /// APT-2: reads an arrival time from its raw request text, an RFC 3339 date-time <b>with</b> an explicit offset
    /// (<c>2026-12-01T10:00:00+08:00</c>, <c>2026-12-01T02:00:00Z</c>). Codes: <c>required</c> (missing),
    /// <c>invalid-eta</c> (not an RFC 3339 date-time, or an impossible date), <c>APT-2</c> (no offset, or the
    /// offset <c>-00:00</c>, which RFC 3339 defines as "offset unknown"). The raw text is what decides: a JSON
    /// reader that silently assumes an offset must not run first. Hour precision is checked by <see cref="CheckEta(DateTimeOffset, DateTimeOffset, AppointmentOptions?)"/>;
    /// a non-zero fraction too fine for <see cref="DateTimeOffset"/> (below 100 ns) is refused here with APT-2.
    /// </summary>
    public static bool TryParseEta(string? raw, out DateTimeOffset eta, [NotNullWhen(false)] out FieldError? error)
    {
        eta = default;
        if (string.IsNullOrEmpty(raw))
        {
            error = new FieldError(EtaField, AppointmentCodes.Required, "eta is required: an RFC 3339 date-time with offset, e.g. 2026-12-01T10:00:00+08:00.");
            return false;
        }

        var match = raw.Length <= MaxEtaLength ? Rfc3339().Match(raw) : Match.Empty;
        if (!match.Success)
        {
            error = new FieldError(EtaField, InvalidEta, "eta must be an RFC 3339 date-time with offset, e.g. 2026-12-01T10:00:00+08:00.");
            return false;
        }

        if (!match.Groups["off"].Success)
        {
            error = new FieldError(EtaField, AppointmentCodes.HourPrecision, "eta has no offset; give it explicitly, e.g. 2026-12-01T10:00:00+08:00 (APT-2).");
            return false;
        }

        if (match.Groups["off"].Value == "-00:00")
        {
            error = new FieldError(EtaField, AppointmentCodes.HourPrecision, "eta has the offset -00:00, which means 'unknown'; give the real offset, e.g. +08:00 (APT-2).");
            return false;
        }

        int Part(string name) => int.Parse(match.Groups[name].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var fraction = match.Groups["f"].Success ? match.Groups["f"].Value : string.Empty;
        var offset = TimeSpan.Zero;
        if (match.Groups["sign"].Success)
        {
            var (oh, om) = (Part("oh"), Part("om"));
            if (oh > 14 || om > 59 || oh == 14 && om > 0)
            {
                error = new FieldError(EtaField, InvalidEta, "eta has an offset outside -14:00..+14:00.");
                return false;
            }

            offset = new TimeSpan(oh, om, 0) * (match.Groups["sign"].Value == "-" ? -1 : 1);
        }

        var (year, month, day, hour, minute, second) = (Part("y"), Part("mo"), Part("d"), Part("h"), Part("mi"), Part("s"));
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            error = new FieldError(EtaField, InvalidEta, "eta is not a real date and time (leap seconds are not accepted).");
            return false;
        }

        if (fraction.Length > 7 && fraction[7..].Any(c => c != '0'))
        {
            error = new FieldError(EtaField, AppointmentCodes.HourPrecision, "eta must be on the hour: minutes, seconds and fractions zero in +08:00 (APT-2).");
            return false;
        }

        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], NumberStyles.None, CultureInfo.InvariantCulture);
        try
        {
            eta = new DateTimeOffset(new DateTime(year, month, day, hour, minute, second).AddTicks(ticks), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            error = new FieldError(EtaField, InvalidEta, "eta is outside the range of representable times.");
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Error code: the ETA is not an RFC 3339 date-time at all.</summary>
    public const string InvalidEta = "invalid-eta";

    /// <summary>
    /// APT-1, APT-2 and the booking horizon for a parsed arrival time, booked at <paramref name="now"/>. All
    /// that apply, APT-2 first:
    /// <list type="bullet">
    /// <item><c>APT-2</c>: not on the hour in +08:00 (minutes, seconds, sub-seconds zero). 02:00Z is 10:00+08:00
    /// and on the hour; 10:30+08:00 is not, nor is 10:00+05:30 (12:30 in China).</item>
    /// <item><c>APT-1</c>: in the past, or less than 48 h ahead. Exactly 48 h 00 min is accepted.</item>
    /// <item><c>eta-too-far</c>: more than <see cref="AppointmentOptions.BookingHorizon"/> ahead (exactly the horizon is accepted).</item>
    /// </list>
    /// </summary>
    public static IReadOnlyList<FieldError> CheckEta(DateTimeOffset eta, DateTimeOffset now, AppointmentOptions? options = null)
    {
        options ??= AppointmentOptions.Default;
        var errors = new List<FieldError>();
        if (!IsOnTheChinaHour(eta))
        {
            var china = ChinaTime.ToChina(eta);
            errors.Add(new FieldError(EtaField, AppointmentCodes.HourPrecision,
                $"eta must be on the hour in China time (+08:00); it is {china.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)} (APT-2)."));
        }

        var ahead = eta - now;
        if (ahead < TimeSpan.Zero)
        {
            errors.Add(new FieldError(EtaField, AppointmentCodes.LeadTime, "eta is in the past; deliveries are booked at least 48 hours ahead (APT-1)."));
        }
        else if (ahead < MinimumLeadTime)
        {
            errors.Add(new FieldError(EtaField, AppointmentCodes.LeadTime,
                $"eta must be at least 48 hours after the booking (the earliest now is {ChinaTime.ToChina(now + MinimumLeadTime).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}) (APT-1)."));
        }
        else if (ahead > options.BookingHorizon)
        {
            errors.Add(new FieldError(EtaField, AppointmentCodes.EtaTooFar, $"eta may be at most {options.BookingHorizon.TotalDays:0.##} days ahead."));
        }

        return errors;
    }

    /// <summary>
    /// <see cref="TryParseEta"/> then <see cref="CheckEta(DateTimeOffset, DateTimeOffset, AppointmentOptions?)"/>: the
    /// errors of the raw arrival time booked at <paramref name="now"/>; <paramref name="eta"/> is set when it parsed.
    /// </summary>
    public static IReadOnlyList<FieldError> CheckEta(string? raw, DateTimeOffset now, out DateTimeOffset eta, AppointmentOptions? options = null)
        => TryParseEta(raw, out eta, out var error) ? CheckEta(eta, now, options) : [error];

    /// <summary>As <see cref="CheckEta(string?, DateTimeOffset, out DateTimeOffset, AppointmentOptions?)"/>, reading now from <paramref name="clock"/>.</summary>
    public static IReadOnlyList<FieldError> CheckEta(string? raw, TimeProvider clock, out DateTimeOffset eta, AppointmentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return CheckEta(raw, clock.GetUtcNow(), out eta, options);
    }

    /// <summary>APT-2: minutes, seconds and sub-seconds are zero when the instant is written in +08:00.</summary>
    public static bool IsOnTheChinaHour(DateTimeOffset instant) => ChinaTime.ToChina(instant).Ticks % TimeSpan.TicksPerHour == 0;

    /// <summary>
    /// APT-4 for a booking or a change: accepted when 0 &lt; kg ≤ 3,000. Above 3,000 kg (up to
    /// <see cref="AppointmentOptions.MaxWeightKg"/>): <c>APT-4</c> with <see cref="WeightCheck.SplitInto"/> = ⌈kg / 3000⌉.
    /// Missing: <c>required</c>. Zero, negative or above the sanity bound: <c>invalid-weight</c>.
    /// </summary>
    public static WeightCheck CheckWeight(decimal? weightKg, AppointmentOptions? options = null)
    {
        options ??= AppointmentOptions.Default;
        if (weightKg is not { } kg)
        {
            return new(new FieldError(WeightField, AppointmentCodes.Required, "weightKg is required."), null);
        }

        if (kg <= 0m)
        {
            return new(new FieldError(WeightField, AppointmentCodes.InvalidWeight, "weightKg must be more than 0."), null);
        }

        if (kg > options.MaxWeightKg)
        {
            return new(new FieldError(WeightField, AppointmentCodes.InvalidWeight, $"weightKg may be at most {options.MaxWeightKg} kg; check the unit (kilograms)."), null);
        }

        if (IsOverweight(kg))
        {
            var split = SplitInto(kg);
            return new(new FieldError(WeightField, AppointmentCodes.Overweight,
                $"At most 3,000 kg per vehicle; split the {kg} kg into {split} vehicles (APT-4)."), split);
        }

        return new(null, null);
    }

    /// <summary>APT-4: more than 3,000 kg for one vehicle (3,000 exactly is allowed).</summary>
    public static bool IsOverweight(decimal kg) => kg > MaxKgPerVehicle;

    /// <summary>
    /// APT-4: ⌈kg / 3000⌉, the number of vehicles a delivery of <paramref name="kg"/> needs, computed exactly
    /// (⌈x / n⌉ = ⌈⌈x⌉ / n⌉ for a whole n, then whole-number arithmetic: no decimal division, whose rounding
    /// could cross a boundary). 3,000 → 1; 3,000.1 → 2; 6,000 → 2; 9,001 → 4. Saturates at
    /// <see cref="int.MaxValue"/> (only reachable far beyond <see cref="AppointmentOptions.MaxWeightKg"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kg"/> is not positive.</exception>
    public static int SplitInto(decimal kg)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(kg, 0m);
        var whole = new BigInteger(decimal.Ceiling(kg));
        var perVehicle = new BigInteger(MaxKgPerVehicle);
        return (int)BigInteger.Min((whole + perVehicle - 1) / perVehicle, int.MaxValue);
    }
}
