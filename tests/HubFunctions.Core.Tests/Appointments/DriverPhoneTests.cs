using CsCheck;
using HubFunctions.Core.Appointments;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-3: the driver's mainland mobile number, normalised to 11 digits; redacted in logs.</summary>
public sealed class DriverPhoneTests
{
    [Theory]
    [InlineData("13812345678", "13812345678")]
    [InlineData("19912345678", "19912345678")]
    [InlineData("15000000000", "15000000000")]
    [InlineData("+8613812345678", "13812345678")]
    [InlineData("+86 13812345678", "13812345678")]
    [InlineData("+86-13812345678", "13812345678")]
    [InlineData("008613812345678", "13812345678")]
    [InlineData("0086 138 1234 5678", "13812345678")]
    [InlineData("138 1234 5678", "13812345678")]
    [InlineData("138-1234-5678", "13812345678")]
    [InlineData("+86 138-1234-5678", "13812345678")]
    [InlineData("  13812345678  ", "13812345678")]
    public void APT_3_mainland_mobile_numbers_are_accepted_as_eleven_digits(string input, string expected)
    {
        Assert.True(DriverPhone.TryNormalise(input, out var phone, out var error), error?.Message);
        Assert.Equal(expected, phone);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("  ", "required")]
    [InlineData("1381234567", "10 digits")]
    [InlineData("138123456789", "more than 11")]
    [InlineData("12812345678", "13-19")]                 // second digit 2
    [InlineData("10012345678", "13-19")]
    [InlineData("23812345678", "13-19")]
    [InlineData("02112345678", "13-19")]                 // a landline-looking number
    [InlineData("8613812345678", "bare 86")]
    [InlineData("+85213812345678", "+86")]               // Hong Kong country code
    [InlineData("+1 13812345678", "+86")]
    [InlineData("+86+8613812345678", "+86")]
    [InlineData("138  1234 5678", "between digits")]     // two separators in a row
    [InlineData("138--12345678", "between digits")]
    [InlineData("-13812345678", "between digits")]
    [InlineData("13812345678-", "between digits")]
    [InlineData("+86  13812345678", "between digits")]
    [InlineData("(+86)13812345678", "'('")]
    [InlineData("138.1234.5678", "'.'")]
    [InlineData("１３８１２３４５６７８", "U+FF11")]        // full-width digits
    [InlineData("138\u066312345678", "U+0663")]          // Arabic-Indic digit
    [InlineData("138\u200B12345678", "U+200B")]          // zero-width space
    [InlineData("13812345678\n", "U+000A")]
    [InlineData("138\t12345678", "U+0009")]
    [InlineData("138\u00A01234\u00A05678", "U+00A0")]     // no-break space
    [InlineData("1381234567x", "'x'")]
    [InlineData("+86", "0 digits")]
    public void APT_3_other_phones_are_refused_with_the_reason(string? input, string reasonFragment)
    {
        Assert.False(DriverPhone.TryNormalise(input, out var phone, out var error));
        Assert.Equal(string.Empty, phone);
        Assert.Equal("driverPhone", error.Field);
        Assert.Equal("APT-3", error.Code);
        Assert.Contains(reasonFragment, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("+86 138-1234-5678", "138****5678")]
    [InlineData("1381234567", "***")]
    [InlineData(null, "***")]
    [InlineData("not a phone 13812345678", "***")]
    public void APT_3_phones_are_redacted_for_logs(string? input, string expected)
        => Assert.Equal(expected, DriverPhone.Redact(input));

    [Fact]
    public void APT_3_every_valid_number_in_any_accepted_spelling_normalises_to_its_digits()
    {
        var gen = Gen.Select(Gen.Char['3', '9'], Gen.Char['0', '9'].Array[9], Gen.Int[0, 5], Gen.Int[0, 2],
            (second, rest, prefix, grouping) => (Digits: "1" + second + new string(rest), Prefix: prefix, Grouping: grouping));
        gen.Sample(sample =>
        {
            var d = sample.Digits;
            var body = sample.Grouping switch
            {
                0 => d,
                1 => $"{d[..3]} {d[3..7]} {d[7..]}",
                _ => $"{d[..3]}-{d[3..7]}-{d[7..]}",
            };
            var prefix = new[] { "", "+86", "+86 ", "+86-", "0086", "0086 " }[sample.Prefix];

            Assert.True(DriverPhone.TryNormalise(prefix + body, out var phone, out _));
            Assert.Equal(d, phone);
            Assert.Equal(d[..3] + "****" + d[7..], DriverPhone.Redact(prefix + body));
        });
    }

    [Fact]
    public void APT_3_any_input_is_refused_with_APT_3_or_normalised_to_eleven_digits()
    {
        Gen.String.Sample(input =>
        {
            if (DriverPhone.TryNormalise(input, out var phone, out var error))
            {
                Assert.Matches("^1[3-9][0-9]{9}$", phone);
            }
            else
            {
                Assert.Equal("APT-3", error.Code);
                Assert.Equal("***", DriverPhone.Redact(input));
            }
        });
    }
}
