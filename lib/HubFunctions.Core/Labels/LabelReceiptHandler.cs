using HubFunctions.Core.Common;

namespace HubFunctions.Core.Labels;

/// <summary>Labels of goods received at a hub for a seller (LBL-1..LBL-3).</summary>
public sealed record LabelReceiptCommand(string Hub, string SellerId, string ReceiptId, IReadOnlyList<string?> Labels);

public sealed record LabelReceiptResult(string ReceiptId, IReadOnlyList<LabelValidation> Results)
{
    public int Accepted => Results.Count(r => r.Valid);

    public int Rejected => Results.Count - Accepted;
}

/// <summary>The serials stored for a seller's stock, by GTIN (LBL-3).</summary>
public interface IStockLabelRepository
{
    /// <summary>Which of <paramref name="items"/> the seller's stock already holds from another receipt.</summary>
    Task<IReadOnlySet<GtinSerial>> FindStoredAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the items for the receipt, insert-only; returns those another receipt stored first
    /// (a race the read did not see). Storing the same receipt again is harmless.
    /// </summary>
    Task<IReadOnlySet<GtinSerial>> AddAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken);
}

/// <summary>
/// Validates the labels of a receipt and keeps the valid ones as the seller's stock: a serial
/// already in the seller's stock for the same GTIN, or repeated within the receipt, is refused
/// with <c>duplicate-serial</c> (LBL-3).
/// </summary>
public sealed class LabelReceiptHandler(LabelValidator validator, IStockLabelRepository stock)
{
    public async Task<LabelReceiptResult> HandleAsync(LabelReceiptCommand command, CancellationToken cancellationToken)
    {
        var validated = validator.ValidateAll(command.Labels);
        var candidates = Pairs(validated);
        var stored = await stock.FindStoredAsync(command.SellerId, command.ReceiptId, candidates, cancellationToken).ConfigureAwait(false);
        var checkedLabels = SerialUniqueness.FlagRepeats(validated, stored);

        var accepted = Pairs(checkedLabels.Where(l => l.Valid).ToList());
        var raced = await stock.AddAsync(command.SellerId, command.ReceiptId, accepted, cancellationToken).ConfigureAwait(false);
        if (raced.Count > 0)
        {
            checkedLabels = SerialUniqueness.FlagRepeats(checkedLabels, raced);
        }

        return new LabelReceiptResult(command.ReceiptId, checkedLabels);
    }

    private static HashSet<GtinSerial> Pairs(IReadOnlyList<LabelValidation> labels)
        => [.. labels.Where(l => l is { Gtin: not null, Serial: not null }).Select(l => new GtinSerial(l.Gtin!, l.Serial!))];
}

/// <summary>Rules for receipts as sent (LBL-1..LBL-3).</summary>
public static class LabelReceipts
{
    /// <summary>
    /// Checks a receipt as sent: key-safe <c>receiptId</c> and <c>sellerId</c> first; only when they
    /// are fine, the label list (<see cref="LabelValidator.CheckBatch"/>).
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(string? receiptId, string? sellerId, IReadOnlyCollection<string?>? labels)
    {
        var errors = new List<FieldError>();
        Common.Identifiers.RequireKey("receiptId", receiptId, errors);
        Common.Identifiers.RequireKey("sellerId", sellerId, errors);
        return errors.Count > 0 ? errors : LabelValidator.CheckBatch(labels);
    }
}
