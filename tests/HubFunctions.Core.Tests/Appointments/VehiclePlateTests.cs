using CsCheck;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-3: mainland plates (GA 36-2018), normalised, look-alikes refused.</summary>
public sealed class VehiclePlateTests
{
    public static TheoryData<string, string, PlateKind> ValidPlates => new()
    {
        // Ordinary, 7 characters, several provinces and serial mixes.
        { "浙A12345", "浙A12345", PlateKind.Ordinary },
        { "粤B8Q2N7", "粤B8Q2N7", PlateKind.Ordinary },
        { "京N88888", "京N88888", PlateKind.Ordinary },
        { "沪A0B123", "沪A0B123", PlateKind.Ordinary },
        { "津C54321", "津C54321", PlateKind.Ordinary },
        { "渝B9X7Y6", "渝B9X7Y6", PlateKind.Ordinary },
        { "冀F23456", "冀F23456", PlateKind.Ordinary },
        { "豫A00001", "豫A00001", PlateKind.Ordinary },
        { "云A7K8M9", "云A7K8M9", PlateKind.Ordinary },
        { "辽B12Z34", "辽B12Z34", PlateKind.Ordinary },
        { "黑A98765", "黑A98765", PlateKind.Ordinary },
        { "湘A3C4D5", "湘A3C4D5", PlateKind.Ordinary },
        { "皖A66666", "皖A66666", PlateKind.Ordinary },
        { "鲁B12345", "鲁B12345", PlateKind.Ordinary },
        { "新A1234X", "新A1234X", PlateKind.Ordinary },
        { "苏E5T6U7", "苏E5T6U7", PlateKind.Ordinary },
        { "赣A20230", "赣A20230", PlateKind.Ordinary },
        { "鄂A1B2C3", "鄂A1B2C3", PlateKind.Ordinary },
        { "桂A45678", "桂A45678", PlateKind.Ordinary },
        { "甘A12JK3", "甘A12JK3", PlateKind.Ordinary },
        { "晋A11111", "晋A11111", PlateKind.Ordinary },
        { "蒙A2P3Q4", "蒙A2P3Q4", PlateKind.Ordinary },
        { "陕A8H8H8", "陕A8H8H8", PlateKind.Ordinary },
        { "吉A34567", "吉A34567", PlateKind.Ordinary },
        { "闽D12345", "闽D12345", PlateKind.Ordinary },
        { "贵A5W6E7", "贵A5W6E7", PlateKind.Ordinary },
        { "青A12345", "青A12345", PlateKind.Ordinary },
        { "藏A23456", "藏A23456", PlateKind.Ordinary },
        { "川A9R8S7", "川A9R8S7", PlateKind.Ordinary },
        { "宁A34567", "宁A34567", PlateKind.Ordinary },
        { "琼A45678", "琼A45678", PlateKind.Ordinary },
        { "京AD1234", "京AD1234", PlateKind.Ordinary },   // D third on a 7-character plate is just a serial letter
        { "粤B1234F", "粤B1234F", PlateKind.Ordinary },

        // New-energy, small vehicles: D/F third, letter or digit, 4 digits.
        { "粤BD12345", "粤BD12345", PlateKind.NewEnergySmall },
        { "沪AF12345", "沪AF12345", PlateKind.NewEnergySmall },
        { "京ADA1234", "京ADA1234", PlateKind.NewEnergySmall },
        { "浙AFZ0001", "浙AFZ0001", PlateKind.NewEnergySmall },
        { "苏EDH9999", "苏EDH9999", PlateKind.NewEnergySmall },
        { "川AD00000", "川AD00000", PlateKind.NewEnergySmall },
        { "鲁BFD6789", "鲁BFD6789", PlateKind.NewEnergySmall },

        // New-energy, large vehicles: 5 digits, D/F last.
        { "粤B12345D", "粤B12345D", PlateKind.NewEnergyLarge },
        { "沪A54321F", "沪A54321F", PlateKind.NewEnergyLarge },
        { "浙A00001D", "浙A00001D", PlateKind.NewEnergyLarge },
        { "冀B99999F", "冀B99999F", PlateKind.NewEnergyLarge },

        // Normalisation: case, surrounding spaces, the printed gap and middle dot.
        { "浙a12345", "浙A12345", PlateKind.Ordinary },
        { "粤b8q2n7", "粤B8Q2N7", PlateKind.Ordinary },
        { "  浙A12345  ", "浙A12345", PlateKind.Ordinary },
        { "浙A 12345", "浙A12345", PlateKind.Ordinary },
        { "浙A·12345", "浙A12345", PlateKind.Ordinary },
        { "浙A · 12345", "浙A12345", PlateKind.Ordinary },
        { "浙 A 12345", "浙A12345", PlateKind.Ordinary },
        { "粤bd12345", "粤BD12345", PlateKind.NewEnergySmall },
        { "粤B·12345d", "粤B12345D", PlateKind.NewEnergyLarge },
    };

    public static TheoryData<string?, string> MalformedPlates => new()
    {
        { null, "required" },
        { "", "required" },
        { "   ", "required" },
        { "A12345", "province" },                 // no province
        { "AB12345", "province" },
        { "12345678", "province" },
        { "中A12345", "province" },               // not a province abbreviation
        { "浙12345", "characters" },              // 6 characters
        { "浙A1234", "characters" },              // 6 characters
        { "浙A123456", "new-energy" },            // 8 characters without D/F
        { "浙A1234567", "characters" },           // 9 characters
        { "浙", "characters" },
        { "浙I12345", "I or O" },                 // authority letter I
        { "浙O12345", "I or O" },                 // authority letter O
        { "浙A1O345", "I or O" },                 // O in the serial
        { "浙A12I45", "I or O" },
        { "浙AD1234O", "I or O" },
        { "浙112345", "authority" },              // digit where the authority letter stands
        { "浙AD1A345", "small new-energy" },      // small NEV: letter after the 4th position
        { "浙AD12A45", "small new-energy" },
        { "粤BD1234D", "small new-energy" },      // D both third and last: neither family
        { "粤BA2345D", "large new-energy" },      // large NEV: letter among the 5 digits
        { "粤B1234AD", "large new-energy" },
        { "粤BX12345", "new-energy" },            // 8 characters, neither D/F third nor last
        { "浙A浙2345", "Chinese character only first" },
        { "京A1234警", "special" },               // police
        { "浙A1234学", "special" },               // driving-school coach
        { "浙A1234挂", "special" },               // trailer
        { "粤Z1234港", "special" },               // Hong Kong cross-border
        { "粤Z1234澳", "special" },               // Macau cross-border
        { "使014578", "special" },                // embassy
        { "沪A1234领", "special" },               // consulate
        { "浙Ａ12345", "full-width" },            // full-width A
        { "浙A１２３４５", "full-width" },        // full-width digits
        { "浙\u3000A12345", "full-width" },      // ideographic space
        { "浙\u041012345", "non-ASCII letter" }, // Cyrillic А
        { "浙\u039112345", "non-ASCII letter" }, // Greek Α
        { "浙A12\u066345", "non-ASCII letter" }, // Arabic-Indic digit three
        { "浙A\u200B12345", "invisible" },        // zero-width space
        { "\uFEFF浙A12345", "invisible" },        // BOM
        { "浙A1\u200D2345", "invisible" },        // zero-width joiner
        { "浙A\t12345", "control" },
        { "浙A12345\n", "control" },
        { "浙A\u00A012345", "non-ASCII space" },  // no-break space
        { "浙A123 45", "space only after" },      // a gap inside the serial
        { "浙A1·2345", "middle dot" },            // the dot elsewhere
        { "浙·A12345", "middle dot" },
        { "浙A··12345", "middle dot" },
        { "浙A\u30FB12345", "unexpected" },       // katakana middle dot is not U+00B7
        { "浙A-12345", "unexpected" },
        { "浙A_12345", "unexpected" },
        { "浙A12345" + new string('1', 40), "at most" },
    };

    [Theory]
    [MemberData(nameof(ValidPlates))]
    public void APT_3_real_format_plates_are_accepted_and_normalised(string input, string expected, PlateKind kind)
    {
        Assert.True(VehiclePlate.TryNormalise(input, out var plate, out var actualKind, out var error), error?.Message);
        Assert.Equal(expected, plate);
        Assert.Equal(kind, actualKind);
        Assert.Null(error);
    }

    [Theory]
    [MemberData(nameof(MalformedPlates))]
    public void APT_3_malformed_plates_are_refused_with_the_reason(string? input, string reasonFragment)
    {
        Assert.False(VehiclePlate.TryNormalise(input, out var plate, out var error));
        Assert.Equal(string.Empty, plate);
        Assert.Equal("vehiclePlate", error.Field);
        Assert.Equal("APT-3", error.Code);
        Assert.Contains(reasonFragment, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void APT_3_the_tables_hold_at_least_thirty_examples_each()
    {
        Assert.True(ValidPlates.Count(row => (PlateKind)row[2] == PlateKind.Ordinary) >= 30);
        Assert.True(ValidPlates.Count(row => (PlateKind)row[2] != PlateKind.Ordinary) >= 10);
        Assert.True(MalformedPlates.Count >= 30);
        Assert.True(ValidPlates.Select(row => ((string)row[1])[0]).Distinct().Count() >= 20);
    }

    [Fact]
    public void APT_3_every_province_abbreviation_is_accepted_and_has_a_distinct_key()
    {
        Assert.Equal(31, VehiclePlate.Provinces.Count);
        Assert.Equal(31, VehiclePlate.Provinces.Values.Distinct(StringComparer.Ordinal).Count());
        foreach (var province in VehiclePlate.Provinces.Keys)
        {
            Assert.True(VehiclePlate.IsValid(province + "A12345"), province.ToString());
        }
    }

    [Theory]
    [InlineData("浙A12345", "ZJ-A12345")]
    [InlineData("粤BD12345", "GD-BD12345")]
    [InlineData("琼A45678", "HI-A45678")]
    public void APT_3_plates_have_a_key_safe_form_that_round_trips(string plate, string key)
    {
        Assert.Equal(key, VehiclePlate.ToKeySafe(plate));
        Assert.True(Ids.IsKeySafe(key));
        Assert.Equal(plate, VehiclePlate.FromKeySafe(key));
    }

    [Theory]
    [InlineData("浙a12345")]
    [InlineData("浙A 12345")]
    [InlineData("A12345")]
    public void APT_3_key_safe_form_needs_a_normalised_plate(string plate)
        => Assert.Throws<ArgumentException>(() => VehiclePlate.ToKeySafe(plate));

    [Theory]
    [InlineData(null)]
    [InlineData("ZJ")]
    [InlineData("ZZ-A12345")]
    [InlineData("ZJ-a12345")]
    [InlineData("ZJ-A1234")]
    [InlineData("ZJA12345")]
    public void APT_3_unknown_keys_map_to_no_plate(string? key) => Assert.Null(VehiclePlate.FromKeySafe(key));

    private static readonly string ProvinceChars = new([.. VehiclePlate.Provinces.Keys]);
    private const string PlateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string PlateAlphanumerics = PlateLetters + "0123456789";

    [Fact]
    public void APT_3_generated_valid_plates_are_accepted_and_normalising_is_idempotent()
    {
        var ordinary = Gen.Select(Gen.Char[ProvinceChars], Gen.Char[PlateLetters], Gen.Char[PlateAlphanumerics].Array[5],
            (p, a, s) => (Plate: $"{p}{a}{new string(s)}", Kind: PlateKind.Ordinary));
        var small = Gen.Select(Gen.Char[ProvinceChars], Gen.Char[PlateLetters], Gen.Char["DF"], Gen.Char[PlateAlphanumerics], Gen.Char['0', '9'].Array[4],
            (p, a, e, x, s) => (Plate: $"{p}{a}{e}{x}{new string(s)}", Kind: PlateKind.NewEnergySmall));
        var large = Gen.Select(Gen.Char[ProvinceChars], Gen.Char[PlateLetters], Gen.Char['0', '9'].Array[5], Gen.Char["DF"],
            (p, a, s, e) => (Plate: $"{p}{a}{new string(s)}{e}", Kind: PlateKind.NewEnergyLarge));

        Gen.OneOf(ordinary, small, large).Sample(sample =>
        {
            Assert.True(VehiclePlate.TryNormalise(sample.Plate.ToLowerInvariant(), out var plate, out var kind, out _));
            Assert.Equal(sample.Plate, plate);
            // A 7-character plate is always ordinary; an 8-character one is small when D/F is third.
            Assert.Equal(sample.Plate.Length == 7 ? PlateKind.Ordinary : sample.Kind, kind);
            Assert.True(VehiclePlate.TryNormalise(plate, out var again, out _));
            Assert.Equal(plate, again);
            Assert.Equal(plate, VehiclePlate.FromKeySafe(VehiclePlate.ToKeySafe(plate)));
        });
    }

    [Fact]
    public void APT_3_any_input_is_either_refused_with_APT_3_or_normalised_to_a_fixed_point()
    {
        Gen.String.Sample(input =>
        {
            if (VehiclePlate.TryNormalise(input, out var plate, out var error))
            {
                Assert.True(plate.Length is 7 or 8);
                Assert.DoesNotContain(plate, c => c is 'I' or 'O' or ' ');
                Assert.True(VehiclePlate.TryNormalise(plate, out var again, out _));
                Assert.Equal(plate, again);
            }
            else
            {
                Assert.Equal("APT-3", error.Code);
                Assert.Equal("vehiclePlate", error.Field);
            }
        });
    }
}
