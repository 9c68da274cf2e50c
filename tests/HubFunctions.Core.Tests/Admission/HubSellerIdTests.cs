using CsCheck;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Hubs;

namespace HubFunctions.Core.Tests.Admission;

/// <summary>ADM-8: <c>{HUBPREFIX}-{6 digits}</c>.</summary>
public sealed class HubSellerIdTests
{
    private static Hub Hub(string id) => HubFunctions.Core.Hubs.Hubs.Find(id)!;

    [Theory]
    [InlineData("hangzhou", 42, "HGH-000042")]
    [InlineData("dongguan", 1, "DGG-000001")]
    [InlineData("tianjin", 999_999, "TSN-999999")]
    [InlineData("xian", 123_456, "XIY-123456")]
    public void ADM_8_formats_prefix_and_six_digits(string hub, int sequence, string expected)
    {
        Assert.Equal(expected, HubSellerId.Format(Hub(hub), sequence));
        Assert.True(HubSellerId.TryParse(expected, out var parsedHub, out var parsedSequence));
        Assert.Equal(hub, parsedHub.Id);
        Assert.Equal(sequence, parsedSequence);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_000)]
    public void ADM_8_sequence_outside_1_to_999999_is_refused(int sequence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HubSellerId.Format(Hub("hangzhou"), sequence));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("HGH-000000")]
    [InlineData("HGH-42")]
    [InlineData("HGH-0000042")]
    [InlineData("hgh-000042")]
    [InlineData("PEK-000042")]
    [InlineData("HGH_000042")]
    [InlineData("HGH-00004A")]
    [InlineData("HGH-+00042")]
    [InlineData(" HGH-000042")]
    [InlineData("HGH-００００42")]
    public void ADM_8_anything_else_does_not_parse(string? text)
    {
        Assert.False(HubSellerId.TryParse(text, out var hub, out var sequence));
        Assert.Null(hub);
        Assert.Equal(0, sequence);
    }

    [Fact]
    public void ADM_8_round_trip_and_order_property()
    {
        var gen = from h in Gen.Int[0, 3] from a in Gen.Int[1, 999_999] from b in Gen.Int[1, 999_999] select (h, a, b);
        gen.Sample(t =>
        {
            var hub = HubFunctions.Core.Hubs.Hubs.All[t.h];
            var x = HubSellerId.Format(hub, t.a);
            var y = HubSellerId.Format(hub, t.b);
            Assert.Equal(10, x.Length);
            Assert.True(HubSellerId.TryParse(x, out var parsed, out var seq));
            Assert.Equal((hub, t.a), (parsed, seq));
            // Same width: text order is numeric order, so ids sort as they were issued.
            Assert.Equal(Math.Sign(t.a.CompareTo(t.b)), Math.Sign(string.CompareOrdinal(x, y)));
        });
    }
}
