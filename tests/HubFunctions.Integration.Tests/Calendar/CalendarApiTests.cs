using System.Net;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Calendar;

/// <summary>ADM-6 through the HTTP contract: GET /api/calendar/cn/...</summary>
public sealed class CalendarApiTests : IClassFixture<CalendarApiTests.Host>
{
    public sealed class Host : IDisposable
    {
        public DevHostFactory Factory { get; } = new();

        public void Dispose() => Factory.Dispose();
    }

    private readonly HttpClient _http;

    public CalendarApiTests(Host host) => _http = host.Factory.CreateDefaultClient();

    [Theory]
    [InlineData("2026-10-01", false, "National Day", false)]
    [InlineData("2026-02-14", true, null, true)]
    [InlineData("2026-02-28", true, null, true)]
    [InlineData("2026-11-28", false, null, false)]
    [InlineData("2026-11-26", true, null, false)]
    [InlineData("2025-01-28", false, "Spring Festival", false)]
    public async Task ADM_6_a_date_is_described(string date, bool working, string? holiday, bool adjusted)
    {
        var body = await HttpAssert.Json(await _http.GetAsync($"/api/calendar/cn/{date}"));
        Assert.Equal(date, body.GetProperty("date").GetString());
        Assert.Equal(working, body.GetProperty("workingDay").GetBoolean());
        Assert.Equal(holiday, body.GetProperty("holiday").GetString());
        Assert.Equal(adjusted, body.GetProperty("adjustedWorkday").GetBoolean());
    }

    [Fact]
    public async Task ADM_6_fifteen_working_days_from_before_national_day()
    {
        var body = await HttpAssert.Json(await _http.GetAsync("/api/calendar/cn/working-days?from=2026-09-28&add=15"));
        Assert.Equal("2026-09-28", body.GetProperty("from").GetString());
        Assert.Equal(15, body.GetProperty("add").GetInt32());
        Assert.Equal("2026-10-23", body.GetProperty("date").GetString());
    }

    [Theory]
    [InlineData("/api/calendar/cn/2027-01-04", "calendar-out-of-range")]
    [InlineData("/api/calendar/cn/2023-12-31", "calendar-out-of-range")]
    [InlineData("/api/calendar/cn/working-days?from=2026-12-20&add=15", "calendar-out-of-range")]
    [InlineData("/api/calendar/cn/2026-13-01", "invalid-date")]
    [InlineData("/api/calendar/cn/26-10-01", "invalid-date")]
    [InlineData("/api/calendar/cn/working-days?from=2026-09-28", "invalid-add")]
    [InlineData("/api/calendar/cn/working-days?from=2026-09-28&add=-1", "invalid-add")]
    [InlineData("/api/calendar/cn/working-days?from=2026-09-28&add=1000", "invalid-add")]
    [InlineData("/api/calendar/cn/working-days?add=3", "invalid-date")]
    public async Task ADM_6_bad_or_uncovered_input_is_422(string url, string code)
    {
        var problem = await HttpAssert.Problem(await _http.GetAsync(url), HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("code").GetString() == code);
    }
}
