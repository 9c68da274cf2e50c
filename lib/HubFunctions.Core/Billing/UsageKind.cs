namespace HubFunctions.Core.Billing;

/// <summary>Whether a fee is an operation fee (BIL-2) or a value-added fee (BIL-3).</summary>
public enum FeeCategory
{
    Operation,
    ValueAdded,
}

/// <summary>One kind of billable usage (API.md: <c>kind</c> of <c>POST /api/hubs/{hub}/usage</c>).</summary>
/// <param name="Code">The wire name, e.g. <c>picking</c>.</param>
/// <param name="Category">BIL-2 operation fee or BIL-3 value-added fee.</param>
/// <param name="Unit">What one unit is: <c>piece</c>, or <c>order</c> for returns handling.</param>
/// <param name="Description">English description for invoices and the fee letter.</param>
/// <param name="DescriptionZh">Chinese description for the fee letter (BIL-8).</param>
public sealed record UsageKind(string Code, FeeCategory Category, string Unit, string Description, string DescriptionZh)
{
    public const string InboundQc = "inbound-qc";
    public const string Shelving = "shelving";
    public const string Picking = "picking";
    public const string Labelling = "labelling";
    public const string Assembly = "assembly";
    public const string Return = "return";

    /// <summary>Every kind, in the order invoice lines list them (BIL-2, then BIL-3).</summary>
    public static readonly IReadOnlyList<UsageKind> All =
    [
        new(InboundQc, FeeCategory.Operation, "piece", "Inbound quality check", "入库质检"),
        new(Shelving, FeeCategory.Operation, "piece", "Shelving", "上架"),
        new(Picking, FeeCategory.Operation, "piece", "Outbound picking", "出库拣货"),
        new(Labelling, FeeCategory.ValueAdded, "piece", "Labelling", "贴标"),
        new(Assembly, FeeCategory.ValueAdded, "piece", "Simple assembly", "简单组装"),
        new(Return, FeeCategory.ValueAdded, "order", "Returns handling", "退货处理"),
    ];

    /// <summary>The kind with this exact wire name (case-sensitive), or null.</summary>
    public static UsageKind? Find(string? code) => All.FirstOrDefault(k => string.Equals(k.Code, code, StringComparison.Ordinal));

    /// <summary>The position of a kind in <see cref="All"/> (invoice line order).</summary>
    public static int OrderOf(string code)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Code == code)
            {
                return i;
            }
        }

        throw new ArgumentException($"Unknown usage kind '{code}'.", nameof(code));
    }
}
