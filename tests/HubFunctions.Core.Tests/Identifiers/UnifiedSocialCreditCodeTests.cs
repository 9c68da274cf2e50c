using CsCheck;
using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Tests.Identifiers;

/// <summary>ADM-11: the Unified Social Credit Code (GB 32100-2015) and its check character.</summary>
public sealed class UnifiedSocialCreditCodeTests
{
    private const string Field = "unifiedSocialCreditCode";

    /// <summary>
    /// Published codes of well-known companies (public business-registration data, as printed on
    /// their licences and widely republished). Each was checked with the ADM-11 algorithm before it was
    /// kept here (two others recalled from memory failed the check and were dropped as unreliable);
    /// the first test below re-checks them all.
    /// </summary>
    public static readonly TheoryData<string, string> Published = new()
    {
        { "914403001922038216", "华为技术有限公司 Huawei Technologies Co., Ltd." },
        { "91440300192317458F", "比亚迪股份有限公司 BYD Company Limited" },
        { "91110108551385082Q", "小米科技有限责任公司 Xiaomi Technology Co., Ltd." },
        { "91110000802100433B", "北京百度网讯科技有限公司 Beijing Baidu Netcom Science and Technology Co., Ltd." },
        { "91330100716105852F", "阿里巴巴（中国）网络技术有限公司 Alibaba (China) Network Technology Co., Ltd." },
        { "9144030071526726XG", "腾讯科技（深圳）有限公司 Tencent Technology (Shenzhen) Co., Ltd." },
    };

    private static IEnumerable<string> PublishedCodes => Published.Select(row => (string)row[0]);

    [Theory]
    [MemberData(nameof(Published))]
    public void ADM_11_published_codes_of_well_known_companies_validate(string code, string company)
    {
        var errors = UnifiedSocialCreditCode.Validate(code, Field, out var normalised);
        Assert.True(errors.Count == 0, $"{company}: {string.Join("; ", errors)}");
        Assert.Equal(code, normalised);
        Assert.True(UnifiedSocialCreditCode.IsValid(code));
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void ADM_11_the_check_character_is_computed_from_the_first_17(string code, string company)
    {
        Assert.True(code[17] == UnifiedSocialCreditCode.CheckCharacter(code.AsSpan(0, 17)), company);
    }

    [Fact]
    public void ADM_11_check_character_worked_example()
    {
        // Huawei 91440300192203821 + ?: values 9,1,4,4,0,3,0,0,1,9,2,2,0,3,8,2,1
        // Σ = 9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 1·20 + 9·29 + 2·25 + 2·13 + 0·8 + 3·24 + 8·10 + 2·30 + 1·28
        //   = 9 + 3 + 36 + 108 + 0 + 78 + 0 + 0 + 20 + 261 + 50 + 26 + 0 + 72 + 80 + 60 + 28 = 831
        // 831 mod 31 = 25 (31·26 = 806); (31 − 25) mod 31 = 6 → '6'.
        Assert.Equal('6', UnifiedSocialCreditCode.CheckCharacter("91440300192203821"));
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void ADM_11_every_single_character_change_of_a_published_code_fails(string code, string company)
    {
        var changes = 0;
        for (var position = 0; position < code.Length; position++)
        {
            foreach (var replacement in UnifiedSocialCreditCode.Alphabet)
            {
                if (replacement == code[position])
                {
                    continue;
                }

                var changed = string.Concat(code.AsSpan(0, position), replacement.ToString(), code.AsSpan(position + 1));
                var errors = UnifiedSocialCreditCode.Validate(changed, Field, out var normalised);
                Assert.True(errors.Count > 0, $"{company}: {changed} (position {position + 1} → {replacement}) was accepted");
                Assert.Null(normalised);
                Assert.All(errors, e => Assert.Equal(Field, e.Field));
                var expected = position is >= 2 and <= 7 && !char.IsAsciiDigit(replacement)
                    ? UnifiedSocialCreditCode.RegionCode
                    : UnifiedSocialCreditCode.CheckCode;
                Assert.Equal(expected, Assert.Single(errors).Code);
                changes++;
            }
        }

        Assert.Equal(18 * 30, changes);
    }

    [Fact]
    public void ADM_11_every_single_character_change_of_any_valid_code_fails_property()
    {
        // A random valid code: 17 characters (digits at 3–8) plus its check character; then any one
        // position replaced by any other alphabet character must be refused.
        var alphabet = UnifiedSocialCreditCode.Alphabet;
        var gen =
            from head in Gen.Char[alphabet].Array[2]
            from region in Gen.Char['0', '9'].Array[6]
            from tail in Gen.Char[alphabet].Array[9]
            from position in Gen.Int[0, 17]
            from replacementIndex in Gen.Int[1, 30]
            select (First17: new string([.. head, .. region, .. tail]), position, replacementIndex);

        gen.Sample(t =>
        {
            var code = t.First17 + UnifiedSocialCreditCode.CheckCharacter(t.First17);
            Assert.True(UnifiedSocialCreditCode.IsValid(code), code);
            var original = alphabet.IndexOf(code[t.position]);
            var replacement = alphabet[(original + t.replacementIndex) % alphabet.Length];
            var changed = string.Concat(code.AsSpan(0, t.position), replacement.ToString(), code.AsSpan(t.position + 1));
            Assert.False(UnifiedSocialCreditCode.IsValid(changed), $"{code} → {changed}");
        }, iter: 20_000);
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('S')]
    [InlineData('V')]
    [InlineData('Z')]
    [InlineData('i')]
    [InlineData('o')]
    [InlineData('s')]
    [InlineData('v')]
    [InlineData('z')]
    public void ADM_11_I_O_S_V_Z_are_refused_anywhere(char letter)
    {
        foreach (var code in PublishedCodes)
        {
            foreach (var position in new[] { 0, 1, 8, 12, 16, 17 })
            {
                var changed = string.Concat(code.AsSpan(0, position), letter.ToString(), code.AsSpan(position + 1));
                var errors = UnifiedSocialCreditCode.Validate(changed, Field, out var normalised);
                Assert.Null(normalised);
                var error = Assert.Single(errors);
                Assert.Equal(UnifiedSocialCreditCode.CharacterCode, error.Code);
                Assert.Equal(Field, error.Field);
                Assert.Contains($"position {position + 1}", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ADM_11_I_O_S_V_Z_are_not_in_the_alphabet()
    {
        Assert.Equal(31, UnifiedSocialCreditCode.Alphabet.Length);
        Assert.Equal(31, UnifiedSocialCreditCode.Alphabet.Distinct().Count());
        foreach (var c in "IOSVZ")
        {
            Assert.DoesNotContain(c, UnifiedSocialCreditCode.Alphabet);
        }
    }

    [Theory]
    [InlineData("91440300192203821")] // 17
    [InlineData("9144030019220382160")] // 19
    [InlineData("9")]
    [InlineData("914403001922038216914403001922038216")]
    public void ADM_11_wrong_length_is_refused(string code)
    {
        var errors = UnifiedSocialCreditCode.Validate(code, Field, out var normalised);
        Assert.Null(normalised);
        var error = Assert.Single(errors);
        Assert.Equal(UnifiedSocialCreditCode.LengthCode, error.Code);
        Assert.Equal(Field, error.Field);
    }

    [Fact]
    public void ADM_11_wrong_length_property()
    {
        Gen.Char[UnifiedSocialCreditCode.Alphabet].Array[0, 40]
            .Where(a => a.Length != 18)
            .Sample(a =>
            {
                var errors = UnifiedSocialCreditCode.Validate(new string(a), Field, out _);
                Assert.Contains(errors, e => e.Code is UnifiedSocialCreditCode.LengthCode or UnifiedSocialCreditCode.RequiredCode);
            });
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void ADM_11_missing_code_is_required(string? code)
    {
        var error = Assert.Single(UnifiedSocialCreditCode.Validate(code, Field, out var normalised));
        Assert.Null(normalised);
        Assert.Equal(UnifiedSocialCreditCode.RequiredCode, error.Code);
        Assert.Equal(Field, error.Field);
    }

    [Theory]
    [MemberData(nameof(Published))]
    public void ADM_11_lower_case_is_normalised_to_upper_case(string code, string company)
    {
        var lower = code.ToLowerInvariant();
        var errors = UnifiedSocialCreditCode.Validate(lower, Field, out var normalised);
        Assert.True(errors.Count == 0, company);
        Assert.Equal(code, normalised);

        // Mixed case too: only the upper-case form is ever returned.
        var mixed = string.Concat(code.Select((c, i) => i % 2 == 0 ? char.ToLowerInvariant(c) : c));
        Assert.Empty(UnifiedSocialCreditCode.Validate(mixed, Field, out var fromMixed));
        Assert.Equal(code, fromMixed);
    }

    [Theory]
    [InlineData(" 914403001922038216")]
    [InlineData("914403001922038216 ")]
    [InlineData("9144030019 2203821")]
    [InlineData("91440300192203821\n")]
    [InlineData("9144-0300192203821")]
    [InlineData("９14403001922038216")] // full-width digit nine
    public void ADM_11_whitespace_and_other_characters_are_refused_never_trimmed(string code)
    {
        var errors = UnifiedSocialCreditCode.Validate(code, Field, out var normalised);
        Assert.Null(normalised);
        Assert.Contains(errors, e => e.Code == UnifiedSocialCreditCode.CharacterCode);
        Assert.All(errors, e => Assert.Equal(Field, e.Field));
    }

    [Fact]
    public void ADM_11_a_long_garbage_value_gives_a_short_message()
    {
        var errors = UnifiedSocialCreditCode.Validate(new string('?', 10_000), Field, out _);
        Assert.Equal([UnifiedSocialCreditCode.LengthCode, UnifiedSocialCreditCode.CharacterCode], errors.Select(e => e.Code));
        Assert.All(errors, e => Assert.True(e.Message.Length < 200, e.Message));
        Assert.EndsWith("position 1, 2, 3, 4, 5 and more.", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_11_region_positions_3_to_8_must_be_digits()
    {
        // 91A40300192203821? with a correct check character for its first 17: only the region is wrong.
        const string first17 = "91A40300192203821";
        var code = first17 + UnifiedSocialCreditCode.CheckCharacter(first17);
        var error = Assert.Single(UnifiedSocialCreditCode.Validate(code, Field, out _));
        Assert.Equal(UnifiedSocialCreditCode.RegionCode, error.Code);

        // Letters are allowed outside 3–8 (organisation codes such as MA...).
        const string withLetters = "91330110MA27W8Y05";
        Assert.True(UnifiedSocialCreditCode.IsValid(withLetters + UnifiedSocialCreditCode.CheckCharacter(withLetters)));
    }

    [Fact]
    public void ADM_11_the_field_name_is_the_one_given()
    {
        var error = Assert.Single(UnifiedSocialCreditCode.Validate("123", "licence.unifiedSocialCreditCode", out _));
        Assert.Equal("licence.unifiedSocialCreditCode", error.Field);
        Assert.Equal(Field, UnifiedSocialCreditCode.Field);
        Assert.Equal(Field, Assert.Single(UnifiedSocialCreditCode.Validate("123", out _)).Field);
    }

    [Fact]
    public void ADM_11_check_character_rejects_bad_input()
    {
        Assert.Throws<ArgumentException>(() => UnifiedSocialCreditCode.CheckCharacter("9144030019220382"));
        Assert.Throws<ArgumentException>(() => UnifiedSocialCreditCode.CheckCharacter("9144030019220382I"));
    }
}
