using System.Globalization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Calendar;
using HubFunctions.Infrastructure.Billing.Pdf;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// The billing PDFs read back with a PDF reader library (PdfPig): the Chinese and English text and the amounts
/// are in them as text, drawn with fonts that have the glyphs. Set <c>HUB_TEST_PDF_DIR</c> to keep the PDFs
/// (e.g. to render them with <c>pdftoppm</c> and look at them).
/// </summary>
public sealed class BillingPdfTests
{
    private static readonly PdfBillingRenderer Renderer = new(new BillingFonts(Options.Create(new PdfOptions())));

    /// <summary>
    /// The Hangzhou worked example of Core's tests (InvoiceWorkedExamplesTests), March 2025, published card:
    /// storage 18.00 × 3,885 m³·days ÷ 31 = 2,255.81; picking 0.5 + 1 + 1,233 → 1,235 × 0.40 = 494.00;
    /// returns 12 × 5.00 = 60.00; claim −2,345.67; total 464.14; issued 2025-04-01, settlement 2025-04-07.
    /// </summary>
    public static InvoiceDraft HangzhouMarch2025()
    {
        const string Seller = "HGH-000042";
        static UsageRecord Usage(string kind, decimal quantity, string at)
            => new($"u-{kind}-{quantity}", Seller, "hangzhou", kind, quantity, DateTimeOffset.Parse(at, CultureInfo.InvariantCulture));
        var snapshots = Enumerable.Range(1, 31)
            .Select(d => new StorageSnapshot(new DateOnly(2025, 3, d), d <= 10 ? 120m : d <= 20 ? 125.5m : 130m)).ToList();
        var result = InvoiceCalculator.Compute(new InvoiceInput(Seller, "hangzhou", new BillingPeriod(new CalendarMonth(2025, 3)), new DateOnly(2025, 4, 1),
            [
                Usage(UsageKind.Picking, 0.5m, "2025-03-03T09:00:00+08:00"),
                Usage(UsageKind.Picking, 1m, "2025-03-12T09:00:00+08:00"),
                Usage(UsageKind.Picking, 1233m, "2025-03-31T23:59:00+08:00"),
                Usage(UsageKind.Return, 12m, "2025-03-20T10:00:00+08:00"),
            ],
            snapshots, [new ClaimCredit("CLM-1", "ORD-9", 2345.67m)]), new RateCardHistory("hangzhou", PublishedRates.Cards), ChinaWorkingCalendar.Default);
        Assert.True(result.Billed, result.ErrorMessage);
        Assert.Equal(464.14m, result.Invoice!.Total);
        return result.Invoice;
    }

    public static FeeConfirmationLetter HangzhouLetter(DateOnly on)
        => FeeConfirmation.Prepare("demo-seller", "HGH-000001", "杭州示例贸易有限公司", "hangzhou", new RateCardHistory("hangzhou", PublishedRates.Cards), on).Letter!;

    /// <summary>The text of every page, with whitespace removed (PdfPig places a space between words as the layout suggests).</summary>
    public static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var text = string.Concat(document.GetPages().Select(p => p.Text));
        return string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
    }

    /// <summary>Every CJK character is drawn with Droid Sans Fallback, every other visible one with DejaVu Sans (no glyph from a font without it).</summary>
    private static void AssertFontsPerScript(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        var letters = document.GetPages().SelectMany(p => p.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
        Assert.Contains(letters, l => FontRuns.IsCjk(char.ConvertToUtf32(l.Value, 0)));
        foreach (var letter in letters)
        {
            var expected = FontRuns.IsCjk(char.ConvertToUtf32(letter.Value, 0)) ? "Droid Sans Fallback" : "DejaVu";
            Assert.True((letter.FontName ?? string.Empty).Contains(expected, StringComparison.Ordinal), $"'{letter.Value}' is drawn with {letter.FontName}, not {expected}");
        }
    }

    private static string Squeeze(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    private static void Keep(string name, byte[] pdf)
    {
        if (Environment.GetEnvironmentVariable("HUB_TEST_PDF_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), pdf);
        }
    }

    [Fact]
    public void BIL_5_7_9_invoice_pdf_has_the_chinese_and_english_text_every_line_and_the_amounts_of_the_hangzhou_example()
    {
        var pdf = Renderer.RenderInvoice("INV-2025-03-HGH-000042", "杭州示例贸易有限公司", HangzhouMarch2025());
        Keep("invoice.pdf", pdf);
        AssertFontsPerScript(pdf);
        var text = Text(pdf);

        string[] expected =
        [
            "发票/账单", "Invoice", "INV-2025-03-HGH-000042", "杭州示例贸易有限公司", "HGH-000042", "杭州", "Hangzhou",
            "2025-03", "2025-03-01", "2025-03-31", "开票日期", "2025-04-01", "结算日期", "2025-04-07", "T+3",
            "仓租", "storage", "3,885", "18.00", "2,255.81",
            "出库拣货", "picking", "1,235", "0.40", "494.00", "件", "piece",
            "退货处理", "return", "12", "5.00", "60.00", "单", "order",
            "赔付抵扣", "-2,345.67", "合计", "Total", "CNY464.14", "生效", "2024-01-01",
        ];
        foreach (var s in expected)
        {
            Assert.True(text.Contains(Squeeze(s), StringComparison.Ordinal), $"'{s}' is not in the invoice text: {text}");
        }
    }

    [Fact]
    public void BIL_4_9_invoice_pdf_shows_its_flags()
    {
        var draft = HangzhouMarch2025() with
        {
            Total = -10m,
            Flags =
            [
                new InvoiceFlag(BillingCodes.StorageCarriedForward, "2 storage days carried forward", [new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 14)]),
                new InvoiceFlag(BillingCodes.CreditBalance, "credits exceed charges", []),
            ],
        };
        var text = Text(Renderer.RenderInvoice("INV-1", "Seller", draft));

        foreach (var s in new[] { "备注", "Flags", "仓储快照沿用前一日", "storage-carried-forward", "2025-03-14", "贷方余额", "credit-balance", "CNY-10.00" })
        {
            Assert.True(text.Contains(Squeeze(s), StringComparison.Ordinal), $"'{s}' is not in the invoice text: {text}");
        }
    }

    [Fact]
    public void BIL_8_fee_letter_pdf_lists_every_rate_of_the_hangzhou_card_in_chinese_and_english()
    {
        var pdf = Renderer.RenderFeeConfirmation(HangzhouLetter(new DateOnly(2026, 11, 28)));
        Keep("fee-confirmation.pdf", pdf);
        AssertFontsPerScript(pdf);
        var text = Text(pdf);

        string[] expected =
        [
            "费用确认书", "Fee Confirmation Letter", "杭州示例贸易有限公司", "demo-seller", "HGH-000001", "杭州", "Hangzhou", "2026-11-28",
            "生效日期", "effective from 2024-01-01",
            "基础仓租", "Storage rent", "元/立方米/月", "per m³ per month", "18.00",
            "操作费", "Operation fee", "增值服务费", "Value-added fee",
            "入库质检", "Inbound quality check", "0.30", "上架", "Shelving", "0.20", "出库拣货", "Outbound picking", "0.40",
            "贴标", "Labelling", "0.15", "简单组装", "Simple assembly", "0.80", "退货处理", "Returns handling", "5.00", "元/单", "per order",
            "无隐藏费用", "No hidden fees", "卖家签章",
        ];
        foreach (var s in expected)
        {
            Assert.True(text.Contains(Squeeze(s), StringComparison.Ordinal), $"'{s}' is not in the letter text: {text}");
        }
    }

    [Fact]
    public void BIL_8_fee_letter_lists_a_scheduled_card_beside_the_one_in_force_each_with_its_rates()
    {
        var rates = new Dictionary<string, decimal>(PublishedRates.UsageRates) { [UsageKind.Picking] = 0.4567m };
        var history = new RateCardHistory("dongguan", [.. PublishedRates.Cards, new RateCard("dongguan", new DateOnly(2027, 1, 1), 16.50m, rates)]);
        var letter = FeeConfirmation.Prepare("s-1", "DGG-000007", "东莞示例工厂", "dongguan", history, new DateOnly(2026, 11, 28)).Letter!;
        var text = Text(Renderer.RenderFeeConfirmation(letter));

        foreach (var s in new[] { "东莞", "Dongguan", "effective from 2024-01-01", "15.00", "effective from 2027-01-01", "16.50", "0.4567" })
        {
            Assert.True(text.Contains(Squeeze(s), StringComparison.Ordinal), $"'{s}' is not in the letter text: {text}");
        }
    }

    [Fact]
    public void BIL_8_a_long_invoice_breaks_pages_and_keeps_every_line()
    {
        var line = HangzhouMarch2025().Lines[1];
        var draft = HangzhouMarch2025() with { Lines = [.. Enumerable.Range(1, 120).Select(i => line with { Description = $"第 {i} 行 line {i:D3}" })] };
        using var document = PdfDocument.Open(Renderer.RenderInvoice("INV-LONG", "Seller", draft));

        Assert.True(document.NumberOfPages > 1);
        var text = Squeeze(string.Concat(document.GetPages().Select(p => p.Text)));
        foreach (var i in new[] { 1, 60, 120 })
        {
            Assert.Contains($"line{i:D3}", text, StringComparison.Ordinal);
        }
    }
}
