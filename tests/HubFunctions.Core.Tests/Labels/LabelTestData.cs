using HubFunctions.Core.Labels;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>Shared fixtures: a fake clock in 2026 and the sample label in its three forms.</summary>
internal static class LabelTestData
{
    public const char GS = '\u001D';
    public const string Gtin = "09506000134352";
    public const string Bracketed = "(01)09506000134352(10)ABC123(11)240229(17)261231(21)SN0001";
    public const string Raw = "0109506000134352" + "10ABC123" + "\u001D" + "11240229" + "17261231" + "21SN0001";
    public const string DigitalLink = "https://id.example.com/01/09506000134352/10/ABC123/21/SN0001?11=240229&17=261231";

    public static FakeTimeProvider ClockAt(int year, int month = 6, int day = 15) =>
        new(new DateTimeOffset(year, month, day, 4, 0, 0, TimeSpan.Zero));

    public static LabelValidator Validator(int year = 2026) => new(ClockAt(year));

    public static string Codes(LabelValidation result) => string.Join(",", result.Errors.Select(e => e.Code));

    /// <summary>The sample label with one element replaced, bracketed.</summary>
    public static string BracketedWith(string ai, string value) =>
        Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(Gtin, "ABC123", "240229", "261231", "SN0001")
            .Select(e => e.Ai == ai ? e with { Value = value } : e));
}
