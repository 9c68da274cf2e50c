using HubFunctions.Core.Orders;
using static HubFunctions.Core.Tests.Orders.OrderTestData;

namespace HubFunctions.Core.Tests.Orders;

/// <summary>DIA-1 (three causes, evidence and fix) and DIA-2 (stage timeline with norms).</summary>
public sealed class OrderDiagnosisTests
{
    private static readonly ItemHsCodes Matching = new("SKU-1", "84713000", "8471300000");

    private static Order Instructed() => Open() with { Status = OrderStatus.Instructed, InstructionId = "ins-1", InstructedAt = Created.AddHours(1) };

    [Fact]
    public void DIA_1_a_healthy_order_has_no_findings()
    {
        var events = new[] { new StageEvent("delivered-to-hub", Created.AddHours(3)), new StageEvent("received", Created.AddHours(4)) };

        Assert.Empty(OrderDiagnosis.Diagnose(Instructed(), events, [Matching], Active(), Created.AddDays(1)).Findings);
    }

    [Fact]
    public void DIA_1_LBL_5_an_hs_code_mismatch_is_found_with_evidence_and_fix()
    {
        var findings = OrderDiagnosis.Diagnose(Instructed(), [], [Matching, new ItemHsCodes("SKU-2", "84713000", "84714100")], Active(), Created.AddHours(3)).Findings;

        var finding = Assert.Single(findings);
        Assert.Equal("hs-code-mismatch", finding.Code);
        Assert.Contains("SKU-2", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("84714100", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("LBL-5", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("SKU-2", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void DIA_1_LBL_5_an_invalid_wms_code_is_flagged_too()
    {
        var finding = Assert.Single(OrderDiagnosis.Diagnose(Instructed(), [], [new ItemHsCodes("SKU-1", "8471.30", "847130")], Active(), Created).Findings);
        Assert.Contains("not a valid HS code", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void DIA_1_delivered_to_the_hub_but_never_received_is_found_after_the_grace()
    {
        var delivered = Created.AddHours(3);
        StageEvent[] events = [new("delivered-to-hub", delivered)];

        Assert.Empty(OrderDiagnosis.Diagnose(Instructed(), events, [Matching], Active(), delivered.AddHours(2)).Findings);
        var finding = Assert.Single(OrderDiagnosis.Diagnose(Instructed(), events, [Matching], Active(), delivered.AddHours(2).AddTicks(1)).Findings);
        Assert.Equal("in-transit-not-received", finding.Code);
        Assert.Contains("2026-12-01T13:00:00.0000000+08:00", finding.Evidence, StringComparison.Ordinal);
        Assert.NotEmpty(finding.Fix);
    }

    [Fact]
    public void DIA_1_expired_qualifications_are_found_for_a_frozen_seller_with_the_freeze_reasons()
    {
        var finding = Assert.Single(OrderDiagnosis.Diagnose(Open(), [], [Matching], Frozen(), Created.AddHours(1)).Findings);

        Assert.Equal("qualifications-expired", finding.Code);
        Assert.Contains("customs-declaration", finding.Evidence, StringComparison.Ordinal);
        Assert.Contains("CMP-3", finding.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void DIA_1_findings_come_in_order_of_frequency()
    {
        StageEvent[] events = [new("delivered-to-hub", Created)];
        var findings = OrderDiagnosis.Diagnose(Instructed(), events, [new ItemHsCodes("SKU-1", "111111", "222222")], Frozen(), Created.AddDays(1)).Findings;

        Assert.Equal(["hs-code-mismatch", "in-transit-not-received", "qualifications-expired"], findings.Select(f => f.Code));
    }

    [Fact]
    public void DIA_2_the_timeline_measures_each_stage_and_marks_those_over_their_norm()
    {
        StageEvent[] events =
        [
            new("picked", Created.AddHours(30)),
            new("received", Created.AddHours(26)),
            new("received", Created.AddHours(27)),
            new("packed", Created.AddHours(32).AddMinutes(1)),
            new("handed-over", Created.AddHours(33)),
            new("delivered-to-hub", Created.AddHours(25)),
        ];

        var stages = OrderDiagnosis.Timeline(Instructed(), events, Created.AddDays(3));

        Assert.Equal(
            [
                new StageSpan("created", Created, 60, false, false),
                new StageSpan("instructed", Created.AddHours(1), 25 * 60, true, false),
                new StageSpan("received", Created.AddHours(26), 4 * 60, false, false),
                new StageSpan("picked", Created.AddHours(30), 121, true, false),
                new StageSpan("packed", Created.AddHours(32).AddMinutes(1), 59, false, false),
            ],
            stages);
    }

    [Fact]
    public void DIA_2_the_last_stage_runs_until_now_and_norms_are_configurable()
    {
        var options = new DiagnosisOptions { StageNorms = new Dictionary<string, TimeSpan> { ["created"] = TimeSpan.FromMinutes(30) } };

        var stages = OrderDiagnosis.Timeline(Open(), [], Created.AddMinutes(45), options);

        Assert.Equal([new StageSpan("created", Created, 45, true, true)], stages);
        Assert.False(OrderDiagnosis.Timeline(Open(), [], Created.AddMinutes(45)).Single().OverNorm);
    }
}
