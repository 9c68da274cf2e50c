using HubFunctions.Core.Admission;

namespace HubFunctions.Core.Compliance;

/// <summary>
/// The one JSON shape of freeze reasons, actors and audit entries, used alike by
/// <c>GET /api/sellers/{id}</c> (<c>freezeReasons</c>), the CMP-3 refusal (<c>freezeReasons</c>), the
/// audit-trail endpoint and the <c>hub.seller.frozen</c> / <c>unfrozen</c> events. Only the members
/// a reason has are written: a CMP-1 reason
/// <c>{ "rule": "CMP-1", "documentType", "expiredOn": "yyyy-MM-dd", "text", "since" }</c>, a tax-rating
/// reason <c>{ "rule": "tax-rating", "rating": "M", "text", "since" }</c>.
/// </summary>
public static class ComplianceWire
{
    public static IReadOnlyDictionary<string, object> Reason(FreezeReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var wire = new Dictionary<string, object>(StringComparer.Ordinal) { ["rule"] = reason.Rule };
        if (reason.DocumentType is { } type)
        {
            wire["documentType"] = type;
        }

        if (reason.ExpiredOn is { } expiredOn)
        {
            wire["expiredOn"] = FreezeReason.Iso(expiredOn);
        }

        if (reason.Rating is { } rating)
        {
            wire["rating"] = rating.ToString();
        }

        wire["text"] = reason.Text;
        if (reason.Since is { } since)
        {
            wire["since"] = since;
        }

        return wire;
    }

    public static object Actor(ComplianceActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new { kind = actor.KindName, id = actor.Id };
    }

    /// <summary>An audit entry: <c>{ sequence, entryId, action, reasons, at, actor, statusBefore, statusAfter, evidence }</c>.</summary>
    public static object Entry(ComplianceLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new
        {
            sequence = entry.Sequence,
            entryId = entry.EntryId,
            action = entry.Action == ComplianceAction.Freeze ? "freeze" : "unfreeze",
            reasons = entry.Reasons.Select(Reason).ToList(),
            at = entry.At,
            actor = Actor(entry.Actor),
            statusBefore = Status(entry.Before),
            statusAfter = Status(entry.After),
            evidence = entry.Evidence,
        };
    }

    /// <summary>The wire name of a status (API.md: <c>active</c> / <c>frozen</c>).</summary>
    public static string Status(SellerStatus status) => status switch
    {
        SellerStatus.Active => "active",
        SellerStatus.Frozen => "frozen",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
