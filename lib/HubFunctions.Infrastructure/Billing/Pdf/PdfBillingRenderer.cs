using System.Globalization;
using HubFunctions.Core.Billing;
using PdfSharp.Pdf;

namespace HubFunctions.Infrastructure.Billing.Pdf;

/// <summary>
/// Billing PDFs with PDFsharp (MIT): the invoice and the fee confirmation letter (费用确认书, BIL-8), bilingual,
/// every string drawn in CJK and Latin runs with <see cref="BillingFonts"/>. Pure rendering: no clock, no I/O
/// (the document dates come from the input).
/// </summary>
public sealed class PdfBillingRenderer(BillingFonts fonts) : IBillingPdfRenderer
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public byte[] RenderInvoice(string invoiceId, string sellerName, InvoiceDraft invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        using var document = NewDocument($"Invoice {invoiceId}", invoice.IssuedOn);
        using (var w = new PdfTextWriter(document, fonts))
        {
            w.Paragraph("发票/账单  Invoice", size: 18, bold: true);
            w.Paragraph(BillingText.HubName(invoice.Hub), size: 10);
            w.Space(6);
            w.Field("发票编号 Invoice no.", invoiceId);
            w.Field("卖家 Seller", $"{sellerName} ({invoice.SellerId})");
            w.Field("物流仓 Hub", BillingText.HubName(invoice.Hub));
            w.Field("账期 Period", $"{invoice.Period.FirstDay.ToString("yyyy-MM", Invariant)} ({Date(invoice.Period.FirstDay)} – {Date(invoice.Period.LastDay)})");
            w.Field("开票日期 Issued on", Date(invoice.IssuedOn));
            w.Field("结算日期 Settlement on", $"{Date(invoice.SettlementOn)} (T+3 个工作日 working days, BIL-7)");
            w.Space(8);
            w.Table(
                [
                    new("项目 Kind", 78), new("说明 Description", 150), new("数量 Quantity", 58, Right: true), new("单位 Unit", 46),
                    new("费率 Rate (CNY)", 56, Right: true), new("金额 Amount (CNY)", 64, Right: true), new("费率卡 Card", 59),
                ],
                invoice.Lines.Select(l => (IReadOnlyList<string>)
                [
                    BillingText.KindName(l.Kind), l.Description, Number(l.Quantity), BillingText.UnitName(l.Unit), Rate(l.Rate), Money(l.Amount),
                    l.RateEffectiveFrom is { } from ? $"生效 from {Date(from)}" : "—",
                ]));
            w.Space(6);
            w.Paragraph($"合计 Total: CNY {Money(invoice.Total)}", size: 12, bold: true);
            w.Space(6);
            if (invoice.Flags.Count > 0)
            {
                w.Paragraph("备注 Flags", size: 10, bold: true);
                foreach (var flag in invoice.Flags)
                {
                    var dates = flag.Dates.Count > 0 ? $" ({string.Join(", ", flag.Dates.Select(Date))})" : string.Empty;
                    w.Paragraph($"• {BillingText.FlagName(flag.Code)} [{flag.Code}]: {flag.Message}{dates}", indent: 8);
                }

                w.Space(6);
            }

            w.Paragraph("每行费率均取自所注生效日期的费率卡,详见《费用确认书》(BIL-8)。金额按行四舍五入至 0.01 元,合计为各行之和 (BIL-5)。", size: 8);
            w.Paragraph("Each rate comes from the rate card effective on the date shown, as listed in the fee confirmation letter (BIL-8). Each line is rounded half away from zero to 0.01 CNY; the total is the sum of the lines (BIL-5).", size: 8);
        }

        return Save(document);
    }

    public byte[] RenderFeeConfirmation(FeeConfirmationLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        using var document = NewDocument($"Fee confirmation {letter.SellerId} {letter.Hub}", letter.IssuedOn);
        using (var w = new PdfTextWriter(document, fonts))
        {
            w.Paragraph("费用确认书  Fee Confirmation Letter", size: 18, bold: true);
            w.Paragraph("速卖通官方物流仓 AliExpress Logistics Hub", size: 10);
            w.Space(6);
            w.Field("卖家 Seller", $"{letter.SellerName} ({letter.SellerId})");
            w.Field("仓内卖家编号 Hub seller id", letter.HubSellerId);
            w.Field("物流仓 Hub", BillingText.HubName(letter.Hub));
            w.Field("日期 Date", Date(letter.IssuedOn));
            w.Space(6);
            w.Paragraph("以下为贵司在本物流仓适用的全部费率,签约前确认。无隐藏费用:每一张发票的每一行都对应本确认书所列的一项费率。");
            w.Paragraph("These are all the rates that apply to you at this hub, for confirmation before signing. No hidden fees: every invoice line traces to a rate listed here (BIL-8).");
            foreach (var card in letter.Cards)
            {
                w.Space(8);
                w.Paragraph($"费率卡 Rate card — 生效日期 effective from {Date(card.EffectiveFrom)}", size: 11, bold: true);
                w.Table(
                    [new("类别 Category", 110), new("项目 Item", 175), new("计费单位 Unit", 140, Right: false), new("费率 Rate (CNY)", 86, Right: true)],
                    Rows(card));
            }

            w.Space(8);
            w.Paragraph("计费规则 How charges are computed", size: 10, bold: true);
            foreach (var note in BillingText.LetterNotes)
            {
                w.Paragraph("• " + note, size: 8.5, indent: 8);
            }

            w.Space(24);
            w.Paragraph("卖家签章 Seller signature and seal: ______________________    日期 Date: ______________", size: 9.5);
        }

        return Save(document);
    }

    private static IEnumerable<IReadOnlyList<string>> Rows(RateCard card)
    {
        yield return ["基础仓租 Storage rent", "按实际占用体积 Volume actually occupied", "元/立方米/月 per m³ per month", Rate(card.StoragePerCubicMetreMonth)];
        foreach (var kind in UsageKind.All)
        {
            yield return
            [
                kind.Category == FeeCategory.Operation ? "操作费 Operation fee" : "增值服务费 Value-added fee",
                $"{kind.DescriptionZh} {kind.Description}",
                BillingText.UnitName(kind.Unit, perUnit: true),
                Rate(card.RateOf(kind.Code)),
            ];
        }
    }

    private static PdfDocument NewDocument(string title, DateOnly date)
    {
        var document = new PdfDocument();
        document.Info.Title = title;
        document.Info.Creator = "HubFunctions";
        document.Info.CreationDate = date.ToDateTime(TimeOnly.MinValue);
        return document;
    }

    private static byte[] Save(PdfDocument document)
    {
        using var stream = new MemoryStream();
        document.Save(stream, closeStream: false);
        return stream.ToArray();
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", Invariant);

    /// <summary>Money with thousands separators and exactly two decimals (BIL-5), e.g. <c>2,255.81</c>, <c>-2,345.67</c>.</summary>
    internal static string Money(decimal amount) => amount.ToString("#,##0.00", Invariant);

    /// <summary>A rate with at least two and at most four decimals (rate cards allow four).</summary>
    internal static string Rate(decimal rate) => rate.ToString("#,##0.00##", Invariant);

    /// <summary>A quantity as exact as it is (whole pieces, or Σ m³·days with decimals).</summary>
    internal static string Number(decimal quantity) => quantity.ToString("#,##0.######", Invariant);
}
