using HubFunctions.Core.Orders;
using static HubFunctions.Core.Tests.Orders.OrderTestData;

namespace HubFunctions.Core.Tests.Orders;

/// <summary>DSP-2..DSP-4, DSP-6: the order state machine and its boundaries under exact times.</summary>
public sealed class OrderStateTests
{
    private static readonly DateTimeOffset Deadline = Created.AddHours(2);

    private static InstructionOutcome Instruct(Order order, TimeSpan afterCreation, string id = "ins-1")
        => order.Instruct(new DispatchInstruction(id, Created + afterCreation), Active());

    [Fact]
    public void DSP_2_an_instruction_at_1h59m59s_is_on_time()
    {
        var outcome = Instruct(Open(), new TimeSpan(1, 59, 59));

        Assert.Equal(InstructionOutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(OrderStatus.Instructed, outcome.Order.Status);
        Assert.Equal("hub", outcome.Order.Path);
        Assert.Equal("ins-1", outcome.Order.InstructionId);
    }

    [Fact]
    public void DSP_2_an_instruction_at_exactly_2h_is_on_time_and_the_order_is_not_yet_due_for_conversion()
    {
        Assert.Equal(InstructionOutcomeKind.Accepted, Instruct(Open(), TimeSpan.FromHours(2)).Kind);
        Assert.False(Open().IsConversionDue(Deadline));
        Assert.Equal(OrderCodes.NotDue, Open().Convert(Deadline).Code);
    }

    [Fact]
    public void DSP_2_an_instruction_one_tick_after_the_deadline_is_late()
    {
        var outcome = Instruct(Open(), TimeSpan.FromHours(2) + TimeSpan.FromTicks(1));

        Assert.Equal(InstructionOutcomeKind.Refused, outcome.Kind);
        Assert.Equal("DSP-2", outcome.Code);
        Assert.Equal(OrderStatus.Open, outcome.Order.Status);
    }

    [Fact]
    public void DSP_3_at_2h00m01s_the_order_converts_and_a_later_instruction_is_refused_with_DSP_4()
    {
        var at = Created + new TimeSpan(2, 0, 1);
        var conversion = Open().Convert(at);

        Assert.True(conversion.Converted);
        Assert.Equal(OrderStatus.Converted, conversion.Order.Status);
        Assert.Equal("non-hub", conversion.Order.Path);
        var refused = conversion.Order.Instruct(new DispatchInstruction("ins-1", at), Active());
        Assert.Equal(InstructionOutcomeKind.Refused, refused.Kind);
        Assert.Equal("DSP-4", refused.Code);
    }

    [Fact]
    public void DSP_3_the_conversion_event_carries_the_LSD_impact()
    {
        var at = Deadline.AddSeconds(30);
        var e = Open(premium: true).Convert(at).Event!;

        Assert.Equal(new ConversionEvent("order-1", "seller-1", "hangzhou", Created, Deadline, at, "non-hub", true, "DSP-3", true), e);
        Assert.Equal("hub.order.converted-to-non-hub", OrderEvents.ConvertedToNonHub);
    }

    [Fact]
    public void DSP_3_converting_again_or_an_instructed_order_does_nothing()
    {
        var converted = Open().Convert(Deadline.AddSeconds(1)).Order;
        var again = converted.Convert(Deadline.AddSeconds(2));
        Assert.False(again.Converted);
        Assert.Equal(converted, again.Order);

        var instructed = Instruct(Open(), TimeSpan.FromHours(1)).Order;
        Assert.False(instructed.Convert(Deadline.AddHours(1)).Converted);
        Assert.Equal(OrderStatus.Instructed, instructed.Convert(Deadline.AddHours(1)).Order.Status);
    }

    [Fact]
    public void DSP_4_the_same_instruction_again_is_idempotent_even_after_the_deadline()
    {
        var instructed = Instruct(Open(), TimeSpan.FromHours(1)).Order;
        var again = instructed.Instruct(new DispatchInstruction("ins-1", Deadline.AddHours(1)), Active());

        Assert.Equal(InstructionOutcomeKind.AlreadyApplied, again.Kind);
        Assert.Equal(instructed, again.Order);
        Assert.Equal(Created.AddHours(1), again.Order.InstructedAt);
    }

    [Fact]
    public void DSP_4_a_second_different_instruction_is_refused_naming_the_first()
    {
        var instructed = Instruct(Open(), TimeSpan.FromHours(1)).Order;
        var second = instructed.Instruct(new DispatchInstruction("ins-2", Created.AddHours(1.5)), Active());

        Assert.Equal(InstructionOutcomeKind.Refused, second.Kind);
        Assert.Equal(OrderCodes.AlreadyInstructed, second.Code);
        Assert.Contains("ins-1", second.Message, StringComparison.Ordinal);
        Assert.Equal("ins-1", second.Order.InstructionId);
    }

    [Fact]
    public void DSP_6_a_frozen_sellers_instruction_is_refused_with_CMP_3_through_the_freeze_check()
    {
        var outcome = Open().Instruct(new DispatchInstruction("ins-1", Created.AddHours(1)), Frozen());

        Assert.Equal(InstructionOutcomeKind.Frozen, outcome.Kind);
        Assert.Equal("CMP-3", outcome.Code);
        Assert.Contains("issue dispatch instructions", outcome.Frozen!.Message, StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Open, outcome.Order.Status);
        Assert.True(outcome.Order.Convert(Deadline.AddSeconds(1)).Converted);
    }

    [Fact]
    public void DSP_4_a_converted_order_answers_DSP_4_even_to_a_frozen_seller()
    {
        var converted = Open().Convert(Deadline.AddSeconds(1)).Order;
        Assert.Equal("DSP-4", converted.Instruct(new DispatchInstruction("ins-1", Deadline.AddSeconds(2)), Frozen()).Code);
    }

    [Fact]
    public void DSP_2_an_instant_is_never_both_on_time_and_due_for_conversion()
    {
        for (var ticks = -2; ticks <= 2; ticks++)
        {
            var at = Deadline.AddTicks(ticks);
            Assert.NotEqual(OrderRules.IsOnTime(Deadline, at), OrderRules.IsConversionDue(Deadline, at));
        }
    }

    [Fact]
    public void Wire_names_round_trip()
    {
        foreach (var status in Enum.GetValues<OrderStatus>())
        {
            Assert.Equal(status, OrderWire.ParseStatus(OrderWire.Name(status)));
        }

        Assert.Null(OrderWire.ParseStatus("Open"));
    }
}
