using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;

namespace HubFunctions.Core.Tests.Compliance;

public sealed class RenewalScheduleTests
{
    [Theory]
    [InlineData("2026-03-10", "2027-02-09", "2027-03-04", "2027-03-11")]
    [InlineData("2025-11-28", "2026-10-30", "2026-11-22", "2026-11-29")]
    [InlineData("2024-02-29", "2025-01-30", "2025-02-22", "2025-03-01")] // due 2025-02-28 (no 29 February)
    [InlineData("2026-01-31", "2027-01-02", "2027-01-25", "2027-02-01")]
    public void CMP_1_CMP_2_freeze_day_is_the_day_after_the_12_month_renewal_date_and_reminders_fall_30_and_7_days_before_it(string approved, string reminder30, string reminder7, string freeze)
    {
        var entries = RenewalSchedule.EntriesFor("s1", AdmissionDocuments.CustomsDeclaration, "DOC-1", DateOnly.Parse(approved, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(
            [(reminder30, RenewalKind.Reminder30), (reminder7, RenewalKind.Reminder7), (freeze, RenewalKind.Freeze)],
            entries.Select(e => (RenewalSchedule.Iso(e.Day), e.Kind)));
        Assert.All(entries, e => Assert.Equal(e, RenewalSchedule.Parse(e.Day, e.Key)));
    }

    [Fact]
    public void CMP_1_types_that_need_no_renewal_get_no_entries()
    {
        Assert.Empty(RenewalSchedule.EntriesFor("s1", AdmissionDocuments.BusinessLicence, "DOC-1", new DateOnly(2026, 3, 10)));
        Assert.Equal(2, FreezeRules.WatchedDocuments.Count(t => RenewalSchedule.EntriesFor("s1", t, "DOC-1", new DateOnly(2026, 3, 10)).Count == 3));
    }

    [Theory]
    [InlineData("s1|brand-authorization|DOC-1")]
    [InlineData("s1|brand-authorization|DOC-1|remind")]
    [InlineData("a|b|c|d|freeze")]
    public void Malformed_index_keys_are_not_entries(string key) => Assert.Null(RenewalSchedule.Parse(new DateOnly(2026, 1, 1), key));
}
