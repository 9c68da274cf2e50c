using HubFunctions.Core.Appointments;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-1 (48-hour lead time), APT-2 (on the hour in +08:00, explicit offset) and the booking horizon, under a fake clock.</summary>
public sealed class EtaRulesTests
{
    // Booking "now": 2026-11-29 10:00 in China (02:00Z). 48 hours later: 2026-12-01 10:00+08:00.
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 2, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<string> Codes(string raw, DateTimeOffset now)
        => [.. AppointmentRules.CheckEta(raw, now, out _).Select(e => e.Code)];

    [Fact]
    public void APT_1_exactly_48_hours_ahead_is_accepted()
    {
        var clock = new FakeTimeProvider(Now);
        var errors = AppointmentRules.CheckEta("2026-12-01T10:00:00+08:00", clock, out var eta);

        Assert.Empty(errors);
        Assert.Equal(Now + TimeSpan.FromHours(48), eta);
    }

    [Fact]
    public void APT_1_47_hours_59_minutes_ahead_is_refused()
    {
        var clock = new FakeTimeProvider(Now.AddMinutes(1));
        var errors = AppointmentRules.CheckEta("2026-12-01T10:00:00+08:00", clock, out _);

        var error = Assert.Single(errors);
        Assert.Equal(("eta", "APT-1"), (error.Field, error.Code));
    }

    [Fact]
    public void APT_1_one_tick_short_of_48_hours_is_refused()
        => Assert.Equal(["APT-1"], Codes("2026-12-01T10:00:00+08:00", Now.AddTicks(1)));

    [Theory]
    [InlineData("2026-11-29T09:00:00+08:00")]  // an hour ago
    [InlineData("2016-12-01T10:00:00+08:00")]  // ten years ago
    public void APT_1_an_arrival_in_the_past_is_refused(string raw)
    {
        var error = Assert.Single(AppointmentRules.CheckEta(raw, Now, out _));
        Assert.Equal("APT-1", error.Code);
        Assert.Contains("past", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APT_1_an_arrival_now_is_refused_as_too_soon() => Assert.Equal(["APT-1"], Codes("2026-11-29T10:00:00+08:00", Now));

    [Theory]
    [InlineData("2026-12-01T10:00:00+08:00", "2026-12-01T02:00:00Z")]
    [InlineData("2026-12-01T02:00:00Z", "2026-12-01T02:00:00Z")]       // 02:00Z is 10:00 in China
    [InlineData("2026-12-01t02:00:00z", "2026-12-01T02:00:00Z")]       // RFC 3339 allows lower-case t and z
    [InlineData("2026-12-01T03:00:00+01:00", "2026-12-01T02:00:00Z")]
    [InlineData("2026-11-30T21:00:00-05:00", "2026-12-01T02:00:00Z")]
    [InlineData("2026-12-01T10:00:00.000+08:00", "2026-12-01T02:00:00Z")]
    [InlineData("2026-12-01T10:00:00.000000000000+08:00", "2026-12-01T02:00:00Z")]
    [InlineData("2026-12-02T07:30:00+05:30", "2026-12-02T02:00:00Z")]  // +05:30 but 10:00 in China
    public void APT_2_an_arrival_on_the_hour_in_china_time_with_an_offset_is_accepted(string raw, string utc)
    {
        Assert.Empty(AppointmentRules.CheckEta(raw, Now, out var eta));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), eta);
    }

    [Theory]
    [InlineData("2026-12-01T10:30:00+08:00")]
    [InlineData("2026-12-01T10:00:01+08:00")]
    [InlineData("2026-12-01T10:00:00.5+08:00")]
    [InlineData("2026-12-01T10:00:00.0000001+08:00")]   // one tick
    [InlineData("2026-12-01T10:00:00.00000001+08:00")]  // finer than a tick: still not on the hour
    [InlineData("2026-12-02T10:00:00+05:30")]           // 12:30 in China
    [InlineData("2026-12-02T10:00:00+08:30")]
    [InlineData("2026-12-02T02:15:00Z")]
    public void APT_2_an_arrival_not_on_the_china_hour_is_refused(string raw)
    {
        var error = Assert.Single(AppointmentRules.CheckEta(raw, Now, out _));
        Assert.Equal(("eta", "APT-2"), (error.Field, error.Code));
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00")]
    [InlineData("2026-12-01T10:00:00.000")]
    [InlineData("2026-12-01T10:00:00-00:00")]  // RFC 3339: offset unknown
    public void APT_2_an_arrival_without_an_explicit_offset_is_refused(string raw)
    {
        var error = Assert.Single(AppointmentRules.CheckEta(raw, Now, out _));
        Assert.Equal("APT-2", error.Code);
        Assert.Contains("offset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APT_1_APT_2_both_are_reported_APT_2_first()
        => Assert.Equal(["APT-2", "APT-1"], Codes("2026-11-30T10:30:00+08:00", Now));

    [Theory]
    [InlineData("2027-02-27T10:00:00+08:00", true)]   // exactly 90 days ahead
    [InlineData("2027-02-27T11:00:00+08:00", false)]  // 90 days and an hour
    [InlineData("2036-12-01T10:00:00+08:00", false)]  // ten years ahead
    public void APT_1_the_booking_horizon_is_90_days(string raw, bool accepted)
    {
        var codes = Codes(raw, Now);
        Assert.Equal(accepted ? [] : ["eta-too-far"], codes);
    }

    [Fact]
    public void APT_1_the_booking_horizon_is_configurable()
    {
        var options = new AppointmentOptions { BookingHorizon = TimeSpan.FromDays(7) };
        Assert.Empty(AppointmentRules.CheckEta("2026-12-06T10:00:00+08:00", Now, out _, options));
        Assert.Equal("eta-too-far", Assert.Single(AppointmentRules.CheckEta("2026-12-06T11:00:00+08:00", Now, out _, options)).Code);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("tomorrow", "invalid-eta")]
    [InlineData("2026-12-01", "invalid-eta")]
    [InlineData("2026-12-01T10:00+08:00", "invalid-eta")]        // RFC 3339 requires seconds
    [InlineData("2026-12-01 10:00:00+08:00", "invalid-eta")]
    [InlineData("2026-12-01T10:00:00+0800", "invalid-eta")]
    [InlineData("2026-12-01T10:00:00 +08:00", "invalid-eta")]
    [InlineData(" 2026-12-01T10:00:00+08:00", "invalid-eta")]
    [InlineData("2026-02-30T10:00:00+08:00", "invalid-eta")]
    [InlineData("2026-13-01T10:00:00+08:00", "invalid-eta")]
    [InlineData("2026-12-01T24:00:00+08:00", "invalid-eta")]
    [InlineData("2026-12-31T23:59:60Z", "invalid-eta")]          // leap second
    [InlineData("2026-12-01T10:00:00+15:00", "invalid-eta")]
    [InlineData("2026-12-01T10:00:00+08:60", "invalid-eta")]
    [InlineData("0000-12-01T10:00:00+08:00", "invalid-eta")]
    [InlineData("0001-01-01T00:00:00+08:00", "invalid-eta")]     // before the first representable instant
    [InlineData("２０２６-12-01T10:00:00+08:00", "invalid-eta")] // full-width digits
    [InlineData("2026-12-01T10:00:00+08:00\n", "invalid-eta")]
    [InlineData("1764554400", "invalid-eta")]                   // a Unix time
    public void APT_2_an_eta_that_is_not_an_rfc_3339_date_time_is_refused(string? raw, string code)
    {
        Assert.False(AppointmentRules.TryParseEta(raw, out _, out var error));
        Assert.Equal(("eta", code), (error.Field, error.Code));
    }

    [Fact]
    public void APT_2_a_long_eta_is_refused_without_being_parsed()
        => Assert.Equal("invalid-eta", Assert.Single(AppointmentRules.CheckEta(new string('9', 100_000), Now, out _)).Code);

    [Fact]
    public void APT_2_on_the_hour_is_judged_in_china_time()
    {
        Assert.True(AppointmentRules.IsOnTheChinaHour(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero)));
        Assert.False(AppointmentRules.IsOnTheChinaHour(new DateTimeOffset(2026, 12, 1, 10, 0, 0, new TimeSpan(5, 30, 0))));
        Assert.True(AppointmentRules.IsOnTheChinaHour(new DateTimeOffset(2026, 12, 1, 7, 30, 0, new TimeSpan(5, 30, 0))));
    }
}
