using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Labels;

/// <summary>Labels of goods received at a hub for a seller (LBL-1..LBL-3).</summary>
public sealed record LabelReceiptCommand(string Hub, string SellerId, string ReceiptId, IReadOnlyList<string?> Labels);

/// <summary>What became of a receipt.</summary>
public enum ReceiptStatus
{
    /// <summary>First sent: recorded, its valid labels joined the stock.</summary>
    Recorded,

    /// <summary>Sent again with the same content: the same answer, nothing counted twice.</summary>
    Resent,

    /// <summary>The seller already has a receipt with this id and other content (another hub or other labels): refused.</summary>
    IdReused,
}

public sealed record LabelReceiptResult(string ReceiptId, ReceiptStatus Status, IReadOnlyList<LabelValidation> Results)
{
    public int Accepted => Results.Count(r => r.Valid);

    public int Rejected => Results.Count - Accepted;
}

/// <summary>A receipt as first recorded: the hub, and the <see cref="LabelReceipts.Fingerprint"/> of its content.</summary>
public sealed record ReceiptRecord(string Hub, string Fingerprint, int LabelCount);

/// <summary>The serials stored for a seller's stock, by GTIN (LBL-3), and the seller's receipts.</summary>
public interface IStockLabelRepository
{
    /// <summary>
    /// Records a receipt under (seller, receipt id), insert-only, so of two racing receipts with one
    /// id exactly one is stored. Returns the record stored earlier under that key, or null when this
    /// call stored it (a call whose insert meets its own earlier attempt gets that attempt's record,
    /// which has the same fingerprint).
    /// </summary>
    Task<ReceiptRecord?> RecordReceiptAsync(string sellerId, string receiptId, ReceiptRecord receipt, CancellationToken cancellationToken);

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
/// with <c>duplicate-serial</c> (LBL-3). A receipt is keyed by seller and receipt id: it is
/// recorded with a fingerprint of its content before any serial is stored; sent again with the same
/// content it is answered again (its own serials are not duplicates of themselves), with other
/// content it is refused (<see cref="ReceiptStatus.IdReused"/>), so a receipt id cannot carry
/// serials into the stock twice.
/// </summary>
public sealed class LabelReceiptHandler(LabelValidator validator, IStockLabelRepository stock)
{
    public async Task<LabelReceiptResult> HandleAsync(LabelReceiptCommand command, CancellationToken cancellationToken)
    {
        var receipt = new ReceiptRecord(command.Hub, LabelReceipts.Fingerprint(command.Hub, command.Labels), command.Labels.Count);
        var earlier = await stock.RecordReceiptAsync(command.SellerId, command.ReceiptId, receipt, cancellationToken).ConfigureAwait(false);
        if (earlier is not null && earlier.Fingerprint != receipt.Fingerprint)
        {
            return new LabelReceiptResult(command.ReceiptId, ReceiptStatus.IdReused, []);
        }

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

        return new LabelReceiptResult(command.ReceiptId, earlier is null ? ReceiptStatus.Recorded : ReceiptStatus.Resent, checkedLabels);
    }

    private static HashSet<GtinSerial> Pairs(IReadOnlyList<LabelValidation> labels)
        => [.. labels.Where(l => l is { Gtin: not null, Serial: not null }).Select(l => new GtinSerial(l.Gtin!, l.Serial!))];
}

/// <summary>Rules for receipts as sent (LBL-1..LBL-3).</summary>
public static class LabelReceipts
{
    /// <summary>Error code: the seller already has a receipt with this id and other content.</summary>
    public const string ReceiptIdReused = "receipt-id-reused";

    /// <summary>
    /// Checks a receipt as sent: key-safe <c>receiptId</c> and <c>sellerId</c> first; only when they
    /// are fine, the label list (<see cref="LabelValidator.CheckBatch"/>).
    /// </summary>
    public static IReadOnlyList<FieldError> Validate(string? receiptId, string? sellerId, IReadOnlyCollection<string?>? labels)
    {
        var errors = new List<FieldError>();
        Ids.RequireKey("receiptId", receiptId, errors);
        Ids.RequireKey("sellerId", sellerId, errors);
        return errors.Count > 0 ? errors : LabelValidator.CheckBatch(labels);
    }

    /// <summary>
    /// What makes two sends the same receipt: the hub and the labels exactly as sent, <b>in order</b>
    /// (SHA-256, hex). Order counts because the answer does: results follow the labels' order, and
    /// of two labels with one serial the later one is the duplicate. The client that sent it does
    /// not count: the hub's operator and the seller's WMS may both send the same receipt.
    /// </summary>
    public static string Fingerprint(string hub, IReadOnlyList<string?> labels)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(labels);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        Append(hash, "receipt/v1", length);
        Append(hash, hub, length);
        foreach (var label in labels)
        {
            Append(hash, label, length);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Length-prefixed UTF-16 code units (exact even for unpaired surrogates); null as length −1.</summary>
    private static void Append(IncrementalHash hash, string? text, Span<byte> length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(length, text?.Length ?? -1);
        hash.AppendData(length);
        hash.AppendData(MemoryMarshal.AsBytes((text ?? "").AsSpan()));
    }
}
