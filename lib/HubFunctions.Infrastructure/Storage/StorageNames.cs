using System.Reflection;
using System.Text.RegularExpressions;

namespace HubFunctions.Infrastructure.Storage;

/// <summary>
/// The name of every table, queue and blob container the app uses, from the settings under
/// <c>Hub:Storage</c> (<c>Hub__Storage__OutboxRelayQueue</c> as an app setting), with the names below
/// as defaults. Queue triggers name their queue through the same setting
/// (<c>[QueueTrigger("%Hub:Storage:OutboxRelayQueue%")]</c>), so the Functions host must have those
/// settings (local.settings.sample.json and infra/modules/functionapp.bicep set them). Tests give
/// each test class its own names, so no test sees another's rows or messages.
/// </summary>
public sealed partial class StorageNames
{
    public const string Section = "Hub:Storage";

    /// <summary>Pending-event index of the transactional outbox, keyed by UTC minute.</summary>
    public string OutboxIntentsTable { get; set; } = "outboxintents";

    /// <summary>Pointers to freshly committed outbox rows (queue trigger <c>RelayOutbox</c>).</summary>
    public string OutboxRelayQueue { get; set; } = "outbox-relay";

    /// <summary>The local event sink (publisher <c>queue</c>).</summary>
    public string EventsQueue { get; set; } = "hub-events";

    /// <summary><c>webhook-id</c> idempotency entries, bucketed by UTC day.</summary>
    public string IdempotencyTable { get; set; } = "idempotency";

    /// <summary>Replayable responses too large for a table entity.</summary>
    public string IdempotencyBodiesContainer { get; set; } = "idempotency-bodies";

    /// <summary>GS1 serials of each seller's stock (LBL-3), insert-only.</summary>
    public string StockLabelsTable { get; set; } = "stocklabels";

    /// <summary>Inspections and rectification orders (LBL-4), one partition per seller.</summary>
    public string LabelComplianceTable { get; set; } = "labelcompliance";

    /// <summary>The seller store (issue 8): one partition per seller.</summary>
    public string SellersTable { get; set; } = "sellers";

    /// <summary>Seller applications (issue 8): one partition per seller, plus the id pointers.</summary>
    public string ApplicationsTable { get; set; } = "applications";

    /// <summary>The ADM-7 SLA sweep's index (one partition per Asia/Shanghai date) and its checkpoint.</summary>
    public string ApplicationSlaTable { get; set; } = "applicationsla";

    /// <summary>Pre-review evaluations (queue trigger <c>EvaluatePreReview</c>), one message per application id.</summary>
    public string PreReviewQueue { get; set; } = "application-prereview";

    /// <summary>Hub seller id allocation (ADM-8): one partition per hub.</summary>
    public string HubSellerIdsTable { get; set; } = "hubsellerids";

    /// <summary>Seller clients created at approval (ADM-8): one partition per client id.</summary>
    public string ClientsTable { get; set; } = "clients";

    /// <summary>Seller documents (DOC-1..5): one partition per seller id, every version kept.</summary>
    public string DocumentsTable { get; set; } = "documents";

    /// <summary>Document files (DOC-2), each under a random name.</summary>
    public string DocumentsContainer { get; set; } = "documents";

    /// <summary>Pending-file markers (a blob about to be committed for a document version), one partition per UTC hour: the orphan-file sweep's index.</summary>
    public string PendingFilesTable { get; set; } = "documentpending";

    /// <summary>Automatic document validations (queue trigger <c>ValidateDocument</c>), one message per version.</summary>
    public string DocumentValidationQueue { get; set; } = "document-validation";
    /// <summary>Inbound appointments (APT): one partition per hub-hour with its dock counter, and the no-show sweep's checkpoint.</summary>
    public string AppointmentsTable { get; set; } = "appointments";

    /// <summary>Gate refusals and the APT-6 same-day blocks: one partition per hub, plate and China day.</summary>
    public string GateArrivalsTable { get; set; } = "gatearrivals";

    /// <summary>The CMP-5 monthly tax rating re-check (queue trigger <c>RecheckTaxRating</c>): fan-out pages and seller checks.</summary>
    public string TaxRecheckQueue { get; set; } = "tax-recheck";

    /// <summary>The renewal index (CMP-1, CMP-2): reminder markers and the sweep's checkpoint; its entries are in one table per due day named after it (<c>{name}d{yyyyMMdd}</c>, so at most 54 characters).</summary>
    public string RenewalIndexTable { get; set; } = "renewalindex";

    /// <summary>Generated billing documents (BIL-8 fee confirmation letters; invoice PDFs), written once under stable names.</summary>
    public string BillingDocumentsContainer { get; set; } = "billing-documents";

    /// <summary>Orders (issue 11, DSP): one partition per order id (row <c>order|{orderId}</c> and its outbox rows).</summary>
    public string OrdersTable { get; set; } = "orders";

    /// <summary>Orders' outcomes (issue 11 benchmark (b)): the insert-only row <c>outcome|{orderId}</c> (instructed or converted after intake), witness of that transition's event, so the big <see cref="OrdersTable"/> is written once per order and never updated; partition: the order's deadline index key since session s11 (written on its order row; the order id before), so the sweep reads a due partition's outcomes at once.</summary>
    public string OrderOutcomesTable { get; set; } = "orderoutcomes";

    /// <summary>The cutoff sweep's checkpoint, and the prefix of the DSP-3 deadline index's tables: one per deadline minute, <c>{name}{yyyyMMddHHmm}</c> (partition = shard, row = order id), dropped once swept. At most 51 characters (<see cref="MaxOrderDeadlinesTableLength"/>; checked at start-up with the other names).</summary>
    public string OrderDeadlinesTable { get; set; } = "orderdeadlines";

    /// <summary>The cutoff sweep's fan-out (queue trigger <c>SweepOrderCutoffShard</c>): one message per due index partition.</summary>
    public string OrderCutoffQueue { get; set; } = "order-cutoff";

    /// <summary>Stage events of orders (DIA-2 timeline, posted by hub operators): one partition per order id, a row per (instant, stage).</summary>
    public string OrderStagesTable { get; set; } = "orderstages";

    /// <summary>DSP-5 counters: one partition per seller and month, counter shard rows and one marker row per counted order.</summary>
    public string OrderMetricsTable { get; set; } = "ordermetrics";

    /// <summary>Rate card versions set by reviewers (BIL-1): one partition per hub, a row per <c>effectiveFrom</c>; the published cards are built in.</summary>
    public string RateCardsTable { get; set; } = "ratecards";

    /// <summary>Billing data: usage records, their rollups and snapshots per seller-hub-month partition; claims and invoices per seller-hub partition.</summary>
    public string BillingTable { get; set; } = "billing";

    /// <summary>Usage ids claimed per hub (API.md: usage is idempotent per <c>usageId</c>): one partition per hub and usage id.</summary>
    public string UsageIdsTable { get; set; } = "usageids";

    /// <summary>Billing runs (BIL-6), one partition per period, and the activity index the fan-out reads.</summary>
    public string BillingRunsTable { get; set; } = "billingruns";

    /// <summary>The billing run's fan-out pages and seller-hub items (queue trigger <c>BillSeller</c>).</summary>
    public string BillingRunQueue { get; set; } = "billing-run";

    /// <summary>Issued invoices as JSON and CSV documents.</summary>
    public string InvoicesContainer { get; set; } = "invoices";

    /// <summary>Refused calls that are audited (SEC-1), one partition per UTC day.</summary>
    public string AccessAuditTable { get; set; } = "accessaudit";

    /// <summary>The longest <see cref="OrderDeadlinesTable"/>: its per-minute tables append <c>yyyyMMddHHmm</c> (12 characters) and a table name has at most 63.</summary>
    public const int MaxOrderDeadlinesTableLength = 63 - 12;

    /// <summary>Every (setting, name) pair, e.g. (<c>OutboxRelayQueue</c>, <c>outbox-relay</c>).</summary>
    public IEnumerable<(string Setting, string Name)> All
        => typeof(StorageNames).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite)
            .Select(p => (p.Name, (string)p.GetValue(this)!));

    /// <summary>Names that Azure Storage would refuse, each with the rule it breaks; empty when all are valid.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (setting, name) in All)
        {
            var valid = setting.EndsWith("Table", StringComparison.Ordinal) ? TableName().IsMatch(name) : QueueOrContainerName().IsMatch(name);
            if (!valid)
            {
                yield return setting.EndsWith("Table", StringComparison.Ordinal)
                    ? $"{Section}:{setting} '{name}' is not a table name (3-63 letters and digits, starting with a letter)."
                    : $"{Section}:{setting} '{name}' is not a queue or container name (3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).";
            }
        }

        if (OrderDeadlinesTable.Length > MaxOrderDeadlinesTableLength)
        {
            yield return $"{Section}:{nameof(OrderDeadlinesTable)} '{OrderDeadlinesTable}' is {OrderDeadlinesTable.Length} characters, longer than {MaxOrderDeadlinesTableLength}: "
                + "its deadline index tables add 12 (the minute, yyyyMMddHHmm) and table names stop at 63.";
        }

        if (RenewalIndexTable.Length > 54)
        {
            yield return $"{Section}:{nameof(RenewalIndexTable)} '{RenewalIndexTable}' is longer than 54 characters: its day tables add 9 (d and the date) and table names stop at 63.";
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex QueueOrContainerName();
}
