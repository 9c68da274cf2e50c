using HubFunctions.Core.Appointments;
using static HubFunctions.Core.Tests.Appointments.AppointmentTestData;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>The appointment state machine: scheduled → admitted / cancelled (seller, APT-4) / no-show; changes only while scheduled.</summary>
public sealed class AppointmentStateTests
{
    private static readonly DateTimeOffset At = Ten.AddMinutes(-20);

    private static Appointment In(AppointmentStatus status) => Scheduled() with { Status = status };

    [Fact]
    public void APT_5_a_scheduled_appointment_is_admitted_once()
    {
        var first = Scheduled().Admit(At);
        Assert.True(first.Succeeded);
        Assert.Equal(AppointmentStatus.Admitted, first.After.Status);
        Assert.Equal(At, first.After.StatusChangedAt);
        Assert.Equal("hub.appointment.admitted", first.EventType);
        Assert.False(first.FreesSlot);

        var second = first.After.Admit(At.AddMinutes(5));
        Assert.False(second.Succeeded);
        Assert.Equal("already-admitted", second.Code);
        Assert.Same(first.After, second.After);
        Assert.Null(second.EventType);
    }

    [Theory]
    [InlineData(CancellationReason.Seller, "seller")]
    [InlineData(CancellationReason.Overweight, "APT-4")]
    public void APT_4_a_scheduled_appointment_is_cancelled_with_its_reason_and_frees_its_slot(CancellationReason reason, string wire)
    {
        var step = Scheduled().Cancel(reason, At);
        Assert.True(step.Succeeded);
        Assert.Equal(AppointmentStatus.Cancelled, step.After.Status);
        Assert.Equal(reason, step.After.CancellationReason);
        Assert.Equal(wire, AppointmentWire.Name(step.After.CancellationReason!.Value));
        Assert.Equal("hub.appointment.cancelled", step.EventType);
        Assert.True(step.FreesSlot);
    }

    [Theory]
    [InlineData(AppointmentStatus.Admitted, "admitted")]
    [InlineData(AppointmentStatus.Cancelled, "cancelled")]
    [InlineData(AppointmentStatus.NoShow, "no-show")]
    public void APT_8_final_states_refuse_every_transition_naming_the_current_state(AppointmentStatus status, string wire)
    {
        var appointment = In(status);
        var steps = new[]
        {
            appointment.Cancel(CancellationReason.Seller, At),
            appointment.Cancel(CancellationReason.Overweight, At),
            appointment.MarkNoShow(Ten.AddHours(3)),
            appointment.Change(new AppointmentChange(WeightKg: 100m), At),
            appointment.Change(new AppointmentChange(WeightKg: 5000m), At),
        }.Append(appointment.Admit(At));

        foreach (var step in steps)
        {
            Assert.False(step.Succeeded);
            Assert.Equal(status == AppointmentStatus.Admitted && step.Code == "already-admitted" ? "already-admitted" : "invalid-state", step.Code);
            Assert.Contains(wire, step.Errors[0].Message, StringComparison.Ordinal);
            Assert.Equal(status, step.CurrentStatus);
            Assert.Same(appointment, step.After);
            Assert.False(step.Changed);
            Assert.False(step.FreesSlot);
        }
    }

    [Fact]
    public void APT_8_no_show_only_strictly_after_the_hour_plus_two_hours()
    {
        var appointment = Scheduled();
        var early = appointment.MarkNoShow(Ten.AddHours(2));
        Assert.Equal("no-show-not-due", early.Code);

        var due = appointment.MarkNoShow(Ten.AddHours(2).AddTicks(1));
        Assert.True(due.Succeeded);
        Assert.Equal(AppointmentStatus.NoShow, due.After.Status);
        Assert.Equal("hub.appointment.no-show", due.EventType);
        Assert.False(due.FreesSlot);   // the hour has passed: nothing to free

        Assert.Equal("invalid-state", due.After.MarkNoShow(Ten.AddHours(5)).Code);   // exactly once
    }

    [Fact]
    public void APT_4_a_change_above_three_tonnes_cancels_with_reason_APT_4()
    {
        var step = Scheduled().Change(new AppointmentChange(WeightKg: 3000.1m), At);

        Assert.True(step.Succeeded);
        Assert.Equal(AppointmentStatus.Cancelled, step.After.Status);
        Assert.Equal(CancellationReason.Overweight, step.After.CancellationReason);
        Assert.Equal(3000.1m, step.After.WeightKg);
        Assert.Equal(2, step.SplitInto);
        Assert.Equal("hub.appointment.cancelled", step.EventType);
        Assert.True(step.FreesSlot);
    }

    [Fact]
    public void APT_4_a_change_to_exactly_three_tonnes_keeps_the_appointment()
    {
        var step = Scheduled().Change(new AppointmentChange(WeightKg: 3000m), At);
        Assert.True(step.Succeeded);
        Assert.Equal(AppointmentStatus.Scheduled, step.After.Status);
        Assert.Equal(3000m, step.After.WeightKg);
        Assert.Null(step.EventType);
    }

    [Fact]
    public void APT_3_a_change_re_validates_and_normalises_plate_and_phone()
    {
        var step = Scheduled().Change(new AppointmentChange(VehiclePlate: "粤b·12345d", DriverPhone: "+86 139-0000-1111"), At);

        Assert.True(step.Succeeded);
        Assert.Equal("粤B12345D", step.After.VehiclePlate);
        Assert.Equal("13900001111", step.After.DriverPhone);
        Assert.Equal(AppointmentStatus.Scheduled, step.After.Status);
        Assert.True(step.Changed);
    }

    [Fact]
    public void APT_3_an_invalid_value_refuses_the_whole_change()
    {
        var before = Scheduled();
        var step = before.Change(new AppointmentChange(VehiclePlate: "浙A1O345", DriverPhone: "12812345678", WeightKg: 5000m), At);

        Assert.False(step.Succeeded);
        Assert.Equal(["vehiclePlate", "driverPhone"], step.Errors.Select(e => e.Field));
        Assert.All(step.Errors, e => Assert.Equal("APT-3", e.Code));
        Assert.Same(before, step.After);   // not cancelled, not changed
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("100000.5")]
    public void APT_4_an_invalid_weight_in_a_change_is_refused_and_changes_nothing(string kg)
    {
        var step = Scheduled().Change(new AppointmentChange(WeightKg: decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture)), At);
        Assert.Equal("invalid-weight", step.Code);
        Assert.False(step.Changed);
    }

    [Fact]
    public void APT_6_a_change_to_a_plate_refused_at_the_gate_today_is_refused()
    {
        var step = Scheduled().Change(new AppointmentChange(VehiclePlate: "浙B54321"), At, plateBlockedToday: plate => plate == "浙B54321");
        Assert.Equal("APT-6", step.Code);
        Assert.False(step.Changed);

        // The appointment's own plate is not re-checked: it was booked before the refusal.
        Assert.True(Scheduled().Change(new AppointmentChange(VehiclePlate: "浙a12345"), At, plateBlockedToday: _ => true).Succeeded);
    }

    [Fact]
    public void An_empty_change_is_a_no_op()
    {
        var step = Scheduled().Change(new AppointmentChange(), At);
        Assert.True(step.Succeeded);
        Assert.False(step.Changed);
        Assert.Null(step.EventType);
    }

    [Fact]
    public void Wire_names_round_trip()
    {
        foreach (var status in Enum.GetValues<AppointmentStatus>())
        {
            Assert.Equal(status, AppointmentWire.ParseStatus(AppointmentWire.Name(status)));
        }

        foreach (var reason in Enum.GetValues<CancellationReason>())
        {
            Assert.Equal(reason, AppointmentWire.ParseReason(AppointmentWire.Name(reason)));
        }

        Assert.Equal(["scheduled", "admitted", "cancelled", "no-show"], Enum.GetValues<AppointmentStatus>().Select(AppointmentWire.Name));
        Assert.Null(AppointmentWire.ParseStatus("Scheduled"));
        Assert.Null(AppointmentWire.ParseReason("apt-4"));
    }
}
