using HubFunctions.Core.Appointments;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>A whole booking: every field rule, in the documented order, with normalised values on success.</summary>
public sealed class AppointmentBookingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);   // 10:00 in China

    private static BookingRequest Valid => new("2026-12-01T10:00:00+08:00", "浙a 12345", "  张伟 ", "+86 138 1234 5678", 1200.5m, 40);

    [Fact]
    public void A_valid_booking_is_normalised_and_becomes_a_scheduled_appointment()
    {
        var check = AppointmentBooking.Check(Valid, Now);

        Assert.True(check.Accepted);
        Assert.Empty(check.Errors);
        var booking = check.Booking!;
        Assert.Equal(("浙A12345", "张伟", "13812345678", 1200.5m, (int?)40), (booking.VehiclePlate, booking.DriverName, booking.DriverPhone, booking.WeightKg, booking.Cartons));
        Assert.Equal(Now.AddHours(48), booking.Eta);

        var clock = new FakeTimeProvider(Now);
        var appointment = booking.ToAppointment("APT-x", "HGH-000042", "hangzhou", clock.GetUtcNow());
        Assert.Equal(AppointmentStatus.Scheduled, appointment.Status);
        Assert.Equal("hangzhou|2026120110", appointment.SlotKey);
        Assert.Null(appointment.CancellationReason);
    }

    [Fact]
    public void APT_4_an_overweight_booking_is_refused_with_split_count()
    {
        var check = AppointmentBooking.Check(Valid with { WeightKg = 9001m }, Now);
        Assert.False(check.Accepted);
        Assert.Equal("APT-4", check.Code);
        Assert.Equal(4, check.SplitInto);
    }

    [Fact]
    public void APT_6_a_make_up_booking_is_refused_with_APT_6_before_the_lead_time_reason()
    {
        // Same day as the refusal, for today: both APT-6 and APT-1 apply; the driver hears APT-6.
        var check = AppointmentBooking.Check(Valid with { Eta = "2026-11-29T15:00:00+08:00" }, Now, plateBlockedToday: plate => plate == "浙A12345");
        Assert.Equal(["APT-6", "APT-1"], check.Errors.Select(e => e.Code));

        // A blocked plate is refused even for an ETA that would otherwise be fine.
        Assert.Equal(["APT-6"], AppointmentBooking.Check(Valid, Now, plateBlockedToday: _ => true).Errors.Select(e => e.Code));
    }

    [Fact]
    public void Every_missing_field_is_reported_in_order()
    {
        var check = AppointmentBooking.Check(new BookingRequest(null, null, null, null, null), Now);
        Assert.Equal(
            [("eta", "required"), ("vehiclePlate", "APT-3"), ("driverPhone", "APT-3"), ("driverName", "required"), ("weightKg", "required")],
            check.Errors.Select(e => (e.Field, e.Code)));
        Assert.Null(check.Booking);
    }

    [Theory]
    [InlineData("2026-12-01T10:30:00+08:00", "APT-2")]
    [InlineData("2026-12-01T10:00:00", "APT-2")]
    [InlineData("2026-11-30T10:00:00+08:00", "APT-1")]
    [InlineData("2036-12-01T10:00:00+08:00", "eta-too-far")]
    public void APT_1_APT_2_eta_refusals_carry_their_rule(string eta, string code)
        => Assert.Equal(code, AppointmentBooking.Check(Valid with { Eta = eta }, Now).Code);

    [Theory]
    [InlineData("\u200B", "invalid-value")]
    [InlineData("张\n伟", "invalid-value")]
    [InlineData("   ", "required")]
    public void Driver_names_are_required_and_printable(string name, string code)
        => Assert.Equal(("driverName", code), AppointmentBooking.Check(Valid with { DriverName = name }, Now).Errors.Select(e => (e.Field, e.Code)).Single());

    [Fact]
    public void Driver_names_are_bounded()
    {
        Assert.True(AppointmentBooking.Check(Valid with { DriverName = new string('名', 64) }, Now).Accepted);
        Assert.Equal("invalid-value", AppointmentBooking.Check(Valid with { DriverName = new string('名', 65) }, Now).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Carton_counts_when_given_are_bounded(int cartons)
        => Assert.Equal(("cartons", "invalid-value"), AppointmentBooking.Check(Valid with { Cartons = cartons }, Now).Errors.Select(e => (e.Field, e.Code)).Single());

    [Fact]
    public void Cartons_are_optional() => Assert.True(AppointmentBooking.Check(Valid with { Cartons = null }, Now).Accepted);
}
