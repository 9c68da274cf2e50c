using HubFunctions.Core.Billing;

namespace HubFunctions.Infrastructure.Billing.Pdf;

/// <summary>The Chinese and English wording of billing documents.</summary>
internal static class BillingText
{
    private static readonly Dictionary<string, string> HubNames = new(StringComparer.Ordinal)
    {
        ["hangzhou"] = "杭州 华东仓 Hangzhou (East China)",
        ["dongguan"] = "东莞 华南仓 Dongguan (South China)",
        ["tianjin"] = "天津 华北仓 Tianjin (North China)",
        ["xian"] = "西安 中西部仓 Xi'an (Central-West)",
    };

    public static readonly IReadOnlyList<string> LetterNotes =
    [
        "仓租按每日快照的实际占用体积计:月租 = 费率 × 每日立方米之和 ÷ 当月天数;缺少快照的日期沿用前一日数据并在发票上注明 (BIL-4)。 Storage rent is charged on the volume actually occupied, from daily snapshots: rent = rate × Σ daily m³ ÷ days in the month; a day without a snapshot carries the previous day's figure forward and is flagged on the invoice (BIL-4).",
        "操作费与增值服务费按件(退货处理按单)计,每条记录不足 1 件按 1 件计 (BIL-2)。 Operation and value-added fees are per piece (returns handling per order); each usage record below one unit counts as one (BIL-2).",
        "每行金额四舍五入至 0.01 元,合计为各行之和 (BIL-5)。 Each invoice line is rounded half away from zero to 0.01 CNY; the total is the sum of the lines (BIL-5).",
        "月度账单于次月生成,结算日为开票后第 3 个工作日 (T+3,BIL-7)。 Invoices are issued monthly for the previous month; settlement is on the 3rd working day after issue (T+3, BIL-7).",
        "因物流仓操作导致的丢件、损件按货值 100% 赔付,抵扣下一期账单 (BIL-9)。 Loss or damage caused by hub operations is compensated at 100% of the goods' value, credited on the next invoice (BIL-9).",
        "费率变更自新费率卡的生效日期起适用;已排定的新费率卡同列于本确认书。 A rate change applies from the new card's effective date; cards already scheduled are listed in this letter.",
    ];

    public static string HubName(string hub) => HubNames.TryGetValue(hub, out var name) ? name : hub;

    public static string KindName(string kind) => kind switch
    {
        InvoiceCalculator.StorageKind => "仓租 storage",
        InvoiceCalculator.ClaimCreditKind => "赔付抵扣 claim credit",
        _ => UsageKind.Find(kind) is { } k ? $"{k.DescriptionZh} {k.Code}" : kind,
    };

    public static string UnitName(string unit, bool perUnit = false) => (unit, perUnit) switch
    {
        ("piece", false) => "件 piece",
        ("piece", true) => "元/件 per piece",
        ("order", false) => "单 order",
        ("order", true) => "元/单 per order",
        ("m3-day", _) => "立方米·天 m³·day",
        _ => unit,
    };

    public static string FlagName(string code) => code switch
    {
        BillingCodes.StorageCarriedForward => "仓储快照沿用前一日 Storage carried forward",
        BillingCodes.StorageNoEarlierSnapshot => "无更早快照,按 0 立方米计 No earlier snapshot (0 m³)",
        BillingCodes.CreditBalance => "贷方余额 Credit balance",
        _ => code,
    };
}
