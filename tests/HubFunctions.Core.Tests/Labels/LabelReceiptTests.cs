using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-3: a receipt is keyed by seller and receipt id; its content is fixed by its first send.</summary>
public sealed class LabelReceiptTests
{
    private static string Label(string serial) => Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(Gtin, "B1", "240229", "261231", serial));

    [Fact]
    public void LBL_3_the_fingerprint_covers_the_hub_and_the_labels_in_order()
    {
        var labels = new[] { Label("S1"), Label("S2") };
        var fingerprint = LabelReceipts.Fingerprint("hangzhou", labels);

        Assert.Equal(fingerprint, LabelReceipts.Fingerprint("hangzhou", [Label("S1"), Label("S2")]));
        Assert.NotEqual(fingerprint, LabelReceipts.Fingerprint("dongguan", labels));
        Assert.NotEqual(fingerprint, LabelReceipts.Fingerprint("hangzhou", [Label("S2"), Label("S1")]));
        Assert.NotEqual(fingerprint, LabelReceipts.Fingerprint("hangzhou", [Label("S1")]));
        Assert.NotEqual(LabelReceipts.Fingerprint("h", [null]), LabelReceipts.Fingerprint("h", [""]));
        Assert.NotEqual(LabelReceipts.Fingerprint("h", ["ab", "c"]), LabelReceipts.Fingerprint("h", ["a", "bc"]));
        Assert.NotEqual(LabelReceipts.Fingerprint("h", ["\ud800"]), LabelReceipts.Fingerprint("h", ["\udc00"]));
    }

    [Fact]
    public async Task LBL_3_a_resent_receipt_gets_the_same_answer_and_stores_nothing_twice()
    {
        var stock = new InMemoryStock();
        var handler = new LabelReceiptHandler(Validator(), stock);
        var command = new LabelReceiptCommand("hangzhou", "s1", "R-1", [Label("S1"), Label("S2"), Label("S1")]);

        var first = await handler.HandleAsync(command, CancellationToken.None);
        var again = await handler.HandleAsync(command, CancellationToken.None);

        Assert.Equal((ReceiptStatus.Recorded, 2, 1), (first.Status, first.Accepted, first.Rejected));
        Assert.Equal((ReceiptStatus.Resent, 2, 1), (again.Status, again.Accepted, again.Rejected));
        Assert.Equal(2, stock.Serials.Count);
    }

    [Theory]
    [InlineData("dongguan", "S1")]
    [InlineData("hangzhou", "S9")]
    public async Task LBL_3_a_receipt_id_used_again_with_other_content_is_refused_and_stores_nothing(string hub, string serial)
    {
        var stock = new InMemoryStock();
        var handler = new LabelReceiptHandler(Validator(), stock);
        await handler.HandleAsync(new LabelReceiptCommand("hangzhou", "s1", "R-1", [Label("S1")]), CancellationToken.None);

        var reused = await handler.HandleAsync(new LabelReceiptCommand(hub, "s1", "R-1", [Label(serial), Label("S3")]), CancellationToken.None);

        Assert.Equal(ReceiptStatus.IdReused, reused.Status);
        Assert.Empty(reused.Results);
        Assert.Equal([("s1", new GtinSerial(Gtin, "S1"))], stock.Serials.Keys);
    }

    [Fact]
    public async Task LBL_3_receipt_ids_are_per_seller()
    {
        var stock = new InMemoryStock();
        var handler = new LabelReceiptHandler(Validator(), stock);
        await handler.HandleAsync(new LabelReceiptCommand("hangzhou", "s1", "R-1", [Label("S1")]), CancellationToken.None);

        var other = await handler.HandleAsync(new LabelReceiptCommand("dongguan", "s2", "R-1", [Label("S1")]), CancellationToken.None);

        Assert.Equal((ReceiptStatus.Recorded, 1), (other.Status, other.Accepted));
    }

    [Fact]
    public void Results_echo_at_most_128_characters_of_a_label()
    {
        var validator = Validator();
        Assert.Equal(Label("S1"), validator.Validate(Label("S1")).EchoedInput);
        var exactly = new string('1', LabelValidation.MaxEchoLength);
        Assert.Equal(exactly, validator.Validate(exactly).EchoedInput);

        var echoed = validator.Validate(new string('7', 4000)).EchoedInput;
        Assert.Equal(new string('7', 128) + "…", echoed);

        var pairAtTheCut = new string('1', 127) + "😀" + new string('1', 10);
        Assert.Equal(new string('1', 127) + "…", validator.Validate(pairAtTheCut).EchoedInput);
    }

    private sealed class InMemoryStock : IStockLabelRepository
    {
        private readonly Dictionary<(string, string), ReceiptRecord> _receipts = [];

        public Dictionary<(string Seller, GtinSerial Item), string> Serials { get; } = [];

        public Task<ReceiptRecord?> RecordReceiptAsync(string sellerId, string receiptId, ReceiptRecord receipt, CancellationToken cancellationToken)
            => Task.FromResult(_receipts.TryAdd((sellerId, receiptId), receipt) ? null : _receipts[(sellerId, receiptId)]);

        public Task<IReadOnlySet<GtinSerial>> FindStoredAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlySet<GtinSerial>>(items.Where(i => Serials.TryGetValue((sellerId, i), out var r) && r != receiptId).ToHashSet());

        public Task<IReadOnlySet<GtinSerial>> AddAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlySet<GtinSerial>>(items.Where(i => !Serials.TryAdd((sellerId, i), receiptId) && Serials[(sellerId, i)] != receiptId).ToHashSet());
    }
}
