using HubFunctions.Core.Appointments;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-7: an appointment id names its China hour, i.e. its hub-hour partition.</summary>
public sealed class AppointmentIdsTests
{
    private sealed class FixedIds : IIdSource
    {
        public string NewId(string prefix) => prefix + "-0123456789abcdefghjk";

        public Guid NewGuid() => Guid.Empty;
    }

    [Fact]
    public void APT_7_an_id_carries_the_china_hour_of_its_eta_and_parses_back()
    {
        var id = AppointmentIds.New(new FixedIds(), new DateTimeOffset(2026, 12, 4, 2, 0, 0, TimeSpan.Zero));
        Assert.Equal("APT-2026120410-0123456789abcdefghjk", id);
        Assert.True(AppointmentIds.TryParseHour(id, out var hour));
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.FromHours(8)), hour);
        Assert.Equal("hangzhou|2026120410", DockCapacity.SlotKey("hangzhou", hour));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("APT-2026120410")]
    [InlineData("APT-2026123410-0123456789abcdefghjk")]
    [InlineData("APT-2026120410-0123456789ABCDEFGHJK")]
    [InlineData("APT-2026120410-0123456789abcdefghjk ")]
    [InlineData("INS-2026120410-0123456789abcdefghjk")]
    [InlineData("APT-2026120410-0123456789abcdefghj|")]
    public void APT_7_anything_else_is_not_an_appointment_id(string? id) => Assert.False(AppointmentIds.TryParseHour(id, out _));
}
