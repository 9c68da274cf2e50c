using HubFunctions.Core.Appointments;

namespace HubFunctions.Core.Tests.Appointments;

internal static class AppointmentTestData
{
    /// <summary>2026-12-01 10:00 in China.</summary>
    public static readonly DateTimeOffset Ten = new(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(8));

    public static Appointment Scheduled(string id = "APT-1", string hub = "hangzhou", string plate = "浙A12345", DateTimeOffset? eta = null, decimal weightKg = 1200m)
        => new(id, "HGH-000042", hub, eta ?? Ten, plate, "张伟", "13812345678", weightKg, 40, AppointmentStatus.Scheduled, null, Ten.AddDays(-3));

    public static DateTimeOffset China(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.FromHours(8));
}
