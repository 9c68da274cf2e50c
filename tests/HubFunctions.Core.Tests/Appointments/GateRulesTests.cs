using HubFunctions.Core.Appointments;
using static HubFunctions.Core.Tests.Appointments.AppointmentTestData;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>The gate: APT-5 (appointment at that hub, for that plate, that China day), APT-4 weighbridge, APT-8 late arrival, APT-6 make-up block.</summary>
public sealed class GateRulesTests
{
    private const string Hub = "hangzhou";
    private const string Plate = "浙A12345";

    private static GateDecision Arrive(DateTimeOffset at, params Appointment[] candidates) => GateRules.Decide(Hub, Plate, at, null, candidates);

    [Fact]
    public void APT_5_an_unbooked_truck_is_refused()
    {
        var decision = Arrive(Ten);
        Assert.Equal((GateOutcome.Refused, "APT-5", (string?)null, GateEffect.None), (decision.Outcome, decision.Code, decision.AppointmentId, decision.Effect));
    }

    [Fact]
    public void APT_5_a_booked_truck_is_admitted_once_and_a_second_arrival_is_refused()
    {
        var appointment = Scheduled();
        var first = Arrive(Ten.AddMinutes(-10), appointment);
        Assert.True(first.Admitted);
        Assert.Equal(("APT-1", GateEffect.Admit, (string?)null), (first.AppointmentId, first.Effect, first.Code));

        var admitted = appointment.Admit(Ten.AddMinutes(-10)).After;
        var second = Arrive(Ten.AddMinutes(30), admitted);
        Assert.Equal((GateOutcome.Refused, "already-admitted", "APT-1"), (second.Outcome, second.Code, second.AppointmentId));
    }

    [Theory]
    [InlineData(10, 24 * 60)]    // the next day, same hour
    [InlineData(10, -24 * 60)]   // the day before, same hour
    [InlineData(0, -1)]          // 23:59 the evening before a 00:00 appointment
    [InlineData(23, 121)]        // 01:01 after a 23:00 appointment: the next day and past its grace
    [InlineData(22, 7 * 60)]     // 05:00 the next morning
    public void APT_5_a_booked_truck_on_the_wrong_day_is_refused(int etaHour, int arrivalMinutesAfterEta)
    {
        var eta = China(1, etaHour);
        Assert.Equal("APT-5", Arrive(eta.AddMinutes(arrivalMinutesAfterEta), Scheduled(eta: eta)).Code);
    }

    [Theory]
    [InlineData(23, 1)]
    [InlineData(23, 120)]        // exactly 01:00: the end of the grace
    [InlineData(22, 120)]        // exactly 00:00
    public void APT_8_the_grace_of_a_late_evening_appointment_crosses_midnight(int etaHour, int arrivalMinutesAfterEta)
    {
        var eta = China(1, etaHour);
        var decision = Arrive(eta.AddMinutes(arrivalMinutesAfterEta), Scheduled(eta: eta));
        Assert.True(decision.Admitted, decision.Message);
    }

    [Fact]
    public void APT_5_the_day_is_the_china_calendar_day_not_the_utc_one()
    {
        // Appointment at 01:00 China on the 2nd (17:00Z on the 1st); arrival at 00:30 China on the 2nd (16:30Z on the 1st).
        var appointment = Scheduled(eta: China(2, 1));
        Assert.True(Arrive(China(2, 0, 30), appointment).Admitted);
        // Arrival at 23:30 China on the 1st: the same UTC day as the ETA, but the wrong China day.
        Assert.Equal("APT-5", Arrive(China(1, 23, 30), appointment).Code);
    }

    [Fact]
    public void APT_5_only_that_hub_and_that_plate_count()
    {
        Assert.Equal("APT-5", Arrive(Ten, Scheduled(hub: "dongguan")).Code);
        Assert.Equal("APT-5", Arrive(Ten, Scheduled(plate: "浙A12346")).Code);
    }

    [Theory]
    [InlineData(AppointmentStatus.Cancelled)]
    [InlineData(AppointmentStatus.NoShow)]
    public void APT_5_a_cancelled_or_no_show_appointment_does_not_admit(AppointmentStatus status)
        => Assert.Equal("APT-5", Arrive(Ten, Scheduled() with { Status = status }).Code);

    [Fact]
    public void APT_5_an_early_arrival_on_the_same_day_is_admitted()
        => Assert.True(Arrive(China(1, 6), Scheduled()).Admitted);

    [Fact]
    public void APT_8_an_arrival_after_the_hour_plus_two_hours_is_refused_as_a_no_show()
    {
        Assert.True(Arrive(China(1, 12), Scheduled()).Admitted);   // exactly 2 h after: in time
        var late = Arrive(China(1, 12, 1), Scheduled());
        Assert.Equal((GateOutcome.Refused, "APT-8", "APT-1", GateEffect.MarkNoShow), (late.Outcome, late.Code, late.AppointmentId, late.Effect));
    }

    [Fact]
    public void APT_5_with_two_appointments_the_same_day_the_nearest_in_time_one_is_used()
    {
        var morning = Scheduled("APT-AM", eta: China(1, 9));
        var afternoon = Scheduled("APT-PM", eta: China(1, 15));
        Assert.Equal("APT-AM", Arrive(China(1, 8), morning, afternoon).AppointmentId);
        Assert.Equal("APT-PM", Arrive(China(1, 13), morning, afternoon).AppointmentId);
        Assert.Equal("APT-AM", Arrive(China(1, 11), morning, afternoon).AppointmentId);   // nearer 09:00 (2 h) than 15:00 (4 h)
        // 09:00's window has closed at 11:30; the afternoon one is used rather than refusing as late.
        Assert.Equal("APT-PM", Arrive(China(1, 11, 30), morning, afternoon).AppointmentId);
        // Once the morning one is admitted, a second arrival uses the afternoon one.
        Assert.Equal("APT-PM", Arrive(China(1, 10), morning with { Status = AppointmentStatus.Admitted }, afternoon).AppointmentId);
    }

    [Fact]
    public void APT_5_ties_go_to_the_earlier_hour()
    {
        var nine = Scheduled("APT-9", eta: China(1, 9));
        var eleven = Scheduled("APT-11", eta: China(1, 11));
        Assert.Equal("APT-9", Arrive(China(1, 10), eleven, nine).AppointmentId);
    }

    [Theory]
    [InlineData("3000", true)]
    [InlineData("2999.5", true)]
    [InlineData("3000.1", false)]
    [InlineData("4500", false)]
    public void APT_4_a_weighbridge_reading_over_three_tonnes_cancels_the_appointment(string kg, bool admitted)
    {
        var decision = GateRules.Decide(Hub, Plate, Ten, decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture), [Scheduled()]);
        Assert.Equal(admitted, decision.Admitted);
        Assert.Equal("APT-1", decision.AppointmentId);
        Assert.Equal(admitted ? GateEffect.Admit : GateEffect.CancelOverweight, decision.Effect);
        Assert.Equal(admitted ? null : "APT-4", decision.Code);
    }

    [Fact]
    public void APT_4_an_overweight_truck_without_an_appointment_is_refused_for_having_none()
        => Assert.Equal("APT-5", GateRules.Decide(Hub, Plate, Ten, 9000m, []).Code);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void APT_4_an_impossible_weighbridge_reading_is_invalid_input(string kg)
    {
        var reading = decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("invalid-weight", GateRules.CheckWeighbridge(reading)?.Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => GateRules.Decide(Hub, Plate, Ten, reading, [Scheduled()]));
    }

    [Fact]
    public void APT_4_weighbridge_readings_are_checked()
    {
        Assert.Null(GateRules.CheckWeighbridge(null));
        Assert.Null(GateRules.CheckWeighbridge(4500m));
        Assert.Equal("invalid-weight", GateRules.CheckWeighbridge(100_001m)?.Code);
    }

    [Fact]
    public void APT_6_after_a_refusal_the_plate_cannot_be_booked_into_that_hub_for_the_rest_of_that_china_day()
    {
        var refusal = new GateRefusal(Hub, Plate, China(1, 9), "APT-5");
        Assert.True(GateRules.MakeUpBlocked(Hub, Plate, new DateOnly(2026, 12, 1), [refusal]));
        Assert.Equal("APT-6", GateRules.CheckMakeUp(Hub, Plate, China(1, 23, 59), [refusal])?.Code);
        Assert.Equal("vehiclePlate", GateRules.CheckMakeUp(Hub, Plate, China(1, 9, 1), [refusal])?.Field);

        Assert.Null(GateRules.CheckMakeUp(Hub, Plate, China(2, 0), [refusal]));            // the next China day
        Assert.Null(GateRules.CheckMakeUp("dongguan", Plate, China(1, 10), [refusal]));   // another hub
        Assert.Null(GateRules.CheckMakeUp(Hub, "浙A12346", China(1, 10), [refusal]));    // another plate
    }

    [Fact]
    public void APT_6_the_block_key_names_hub_plate_and_china_day()
    {
        // 17:00Z on Nov 30 is 01:00 on Dec 1 in China.
        Assert.Equal("hangzhou|ZJ-A12345|20261201", GateRules.MakeUpBlockKey(Hub, Plate, new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero)));
        Assert.Equal(GateRules.MakeUpBlockKey(Hub, Plate, China(1, 0)), GateRules.MakeUpBlockKey(Hub, Plate, China(1, 23, 59)));
        Assert.NotEqual(GateRules.MakeUpBlockKey(Hub, Plate, China(1, 23, 59)), GateRules.MakeUpBlockKey(Hub, Plate, China(2, 0)));
        Assert.Throws<ArgumentException>(() => GateRules.MakeUpBlockKey(Hub, "浙a12345", China(1, 0)));
        Assert.Throws<ArgumentException>(() => GateRules.MakeUpBlockKey("a|b", Plate, China(1, 0)));
    }

    [Fact]
    public void APT_6_every_refusal_code_blocks_the_make_up_booking()
    {
        foreach (var code in new[] { "APT-5", "APT-4", "APT-8", "already-admitted" })
        {
            Assert.True(GateRules.MakeUpBlocked(Hub, Plate, new DateOnly(2026, 12, 1), [new GateRefusal(Hub, Plate, China(1, 9), code)]));
        }
    }
}
