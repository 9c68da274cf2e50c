using System.Globalization;
using System.Text.RegularExpressions;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>
/// Appointment ids carry their China hour: <c>APT-{yyyyMMddHH}-{20 characters}</c>, e.g.
/// <c>APT-2026120110-6b0f3c2a9d8e7f1a2b3c</c>. The hour never changes (a PATCH cannot move the ETA), so the id
/// alone names the hub-hour partition the appointment and its dock counter live in (APT-7): every lookup by id
/// is a point read, and the capacity counter commits in the same transaction as the appointment.
/// </summary>
public static partial class AppointmentIds
{
    public const string Prefix = "APT";

    [GeneratedRegex("^APT-(?<hour>[0-9]{10})-[0-9a-z]{20}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    /// <summary>A new id for an appointment at <paramref name="eta"/> (derived from the request, so a retry draws the same).</summary>
    public static string New(IIdSource ids, DateTimeOffset eta)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.NewId(Prefix + "-" + ChinaTime.ToChina(eta).ToString("yyyyMMddHH", CultureInfo.InvariantCulture));
    }

    /// <summary>The start of the China hour an id names, or false for anything that is not such an id.</summary>
    public static bool TryParseHour(string? appointmentId, out DateTimeOffset hour)
    {
        hour = default;
        var match = appointmentId is { Length: <= 64 } ? Shape().Match(appointmentId) : Match.Empty;
        if (!match.Success || !DateTime.TryParseExact(match.Groups["hour"].Value, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return false;
        }

        hour = new DateTimeOffset(local, ChinaTime.Offset);
        return true;
    }
}
