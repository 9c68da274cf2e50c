using System.Globalization;
using HubFunctions.Core.Documents;

namespace HubFunctions.Core.Compliance;

/// <summary>What a renewal index entry asks the sweep to do on its day.</summary>
public enum RenewalKind
{
    /// <summary>CMP-2: 30 days before the freeze day, raise <c>hub.seller.renewal-reminder</c>.</summary>
    Reminder30,

    /// <summary>CMP-2: 7 days before the freeze day, raise <c>hub.seller.renewal-reminder</c>.</summary>
    Reminder7,

    /// <summary>CMP-1: the first day the latest approved version is older than 12 calendar months: freeze.</summary>
    Freeze,
}

/// <summary>
/// One entry of the renewal index: on <see cref="Day"/> (Asia/Shanghai) the sweep does
/// <see cref="Kind"/> for <see cref="SellerId"/>'s <see cref="DocumentType"/>, if
/// <see cref="DocumentId"/> is still that type's latest approved version (else the entry is stale).
/// </summary>
public sealed record RenewalEntry(DateOnly Day, string SellerId, string DocumentType, string DocumentId, RenewalKind Kind)
{
    /// <summary>The entry's key within its day: <c>{seller}|{type}|{documentId}|{kind}</c>.</summary>
    public string Key => $"{SellerId}|{DocumentType}|{DocumentId}|{RenewalSchedule.KindName(Kind)}";
}

/// <summary>
/// CMP-1 and CMP-2 in dates. A renewable version approved on day A (Asia/Shanghai) is due for
/// renewal on A + 12 calendar months (<see cref="DocumentTypes.RenewalDueOn"/>, the date the
/// documents list shows); on that day the seller is still current. The <b>freeze day</b> is the
/// next day, A + 12 months + 1 day: the first day the version is "older than 12 calendar months".
/// The reminders (CMP-2) fall 30 and 7 days before the freeze day. Example: approved 2025-11-28 →
/// due 2026-11-28, reminders 2026-10-30 and 2026-11-22, freeze 2026-11-29.
/// </summary>
public static class RenewalSchedule
{
    public static readonly IReadOnlyDictionary<RenewalKind, int> DaysBefore = new Dictionary<RenewalKind, int>
    {
        [RenewalKind.Reminder30] = 30,
        [RenewalKind.Reminder7] = 7,
        [RenewalKind.Freeze] = 0,
    };

    /// <summary>The freeze day of a version of <paramref name="type"/> approved on <paramref name="approvedOn"/>, or null for a type that needs no renewal.</summary>
    public static DateOnly? FreezeOn(string type, DateOnly approvedOn)
        => DocumentTypes.RenewalDueOn(type, approvedOn) is { } due ? due.AddDays(1) : null;

    /// <summary>The three index entries for an approved version (none for a type CMP-1 does not watch).</summary>
    public static IReadOnlyList<RenewalEntry> EntriesFor(string sellerId, string type, string documentId, DateOnly approvedOn)
    {
        if (FreezeOn(type, approvedOn) is not { } freezeOn)
        {
            return [];
        }

        return [.. DaysBefore.Select(k => new RenewalEntry(freezeOn.AddDays(-k.Value), sellerId, type, documentId, k.Key))];
    }

    /// <summary>The wire name of a kind: <c>reminder-30</c>, <c>reminder-7</c>, <c>freeze</c>.</summary>
    public static string KindName(RenewalKind kind) => kind switch
    {
        RenewalKind.Reminder30 => "reminder-30",
        RenewalKind.Reminder7 => "reminder-7",
        RenewalKind.Freeze => "freeze",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static RenewalKind? ParseKind(string? name) => name switch
    {
        "reminder-30" => RenewalKind.Reminder30,
        "reminder-7" => RenewalKind.Reminder7,
        "freeze" => RenewalKind.Freeze,
        _ => null,
    };

    /// <summary>Parses <see cref="RenewalEntry.Key"/> back into an entry of <paramref name="day"/>; null when malformed.</summary>
    public static RenewalEntry? Parse(DateOnly day, string key)
    {
        var parts = key?.Split('|') ?? [];
        return parts.Length == 4 && ParseKind(parts[3]) is { } kind ? new RenewalEntry(day, parts[0], parts[1], parts[2], kind) : null;
    }

    /// <summary>A day as <c>yyyy-MM-dd</c> (the index partition).</summary>
    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
