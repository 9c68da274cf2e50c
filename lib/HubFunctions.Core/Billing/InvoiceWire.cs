using System.Globalization;
using HubFunctions.Core.Admission;

namespace HubFunctions.Core.Billing;

/// <summary>An invoice line as API.md "Invoice JSON" shows it, plus the card it traces to (BIL-8).</summary>
public sealed record InvoiceLineView(string Kind, string Description, decimal Quantity, string Unit, decimal Rate, decimal Amount, string? RateEffectiveFrom);

public sealed record InvoiceFlagView(string Code, string Message, IReadOnlyList<string> Dates);

/// <summary>API.md "Invoice JSON": <c>{ invoiceId, sellerId, hub, period, issuedOn, settlementOn, lines, total, flags }</c> (+ <c>currency</c>).</summary>
public sealed record InvoiceView(string InvoiceId, string SellerId, string Hub, string Period, string IssuedOn, string SettlementOn,
    IReadOnlyList<InvoiceLineView> Lines, decimal Total, string Currency, IReadOnlyList<InvoiceFlagView> Flags);

/// <summary>The one wire shape of an invoice: the HTTP answer, the stored row, the JSON blob and the CSV all come from it.</summary>
public static class InvoiceWire
{
    private const string DateFormat = "yyyy-MM-dd";

    public static InvoiceView View(StoredInvoice stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var i = stored.Invoice;
        return new InvoiceView(stored.InvoiceId, i.SellerId, i.Hub, i.Period.ToString(), Date(i.IssuedOn), Date(i.SettlementOn),
            [.. i.Lines.Select(l => new InvoiceLineView(l.Kind, l.Description, l.Quantity, l.Unit, l.Rate, l.Amount, l.RateEffectiveFrom is { } d ? Date(d) : null))],
            i.Total, "CNY", [.. i.Flags.Select(f => new InvoiceFlagView(f.Code, f.Message, [.. f.Dates.Select(Date)]))]);
    }

    public static StoredInvoice FromView(InvoiceView v)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (!CalendarMonth.TryParse(v.Period, out var month))
        {
            throw new FormatException($"Invoice {v.InvoiceId} has period '{v.Period}'.");
        }

        return new StoredInvoice(v.InvoiceId, new InvoiceDraft(v.SellerId, v.Hub, new BillingPeriod(month), Parse(v.IssuedOn), Parse(v.SettlementOn),
            [.. v.Lines.Select(l => new InvoiceLine(l.Kind, l.Description, l.Quantity, l.Unit, l.Rate, l.Amount, l.RateEffectiveFrom is { } d ? Parse(d) : null))],
            v.Total, [.. v.Flags.Select(f => new InvoiceFlag(f.Code, f.Message, [.. f.Dates.Select(Parse)]))]));
    }

    private static string Date(DateOnly d) => d.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateOnly Parse(string s) => DateOnly.ParseExact(s, DateFormat, CultureInfo.InvariantCulture);
}

/// <summary>The rate cards of every hub, with a reviewer's new versions (BIL-1).</summary>
public interface IRateCardStore : IRateCardSource
{
    /// <summary>
    /// Adds a card version insert-only: <see cref="BillingWrite.Unchanged"/> when the same card is in force from that date
    /// already (a retry), <see cref="BillingWrite.Conflict"/> when a different one is (a published card counts).
    /// </summary>
    Task<BillingWrite> AddAsync(RateCard card, CancellationToken cancellationToken);
}
