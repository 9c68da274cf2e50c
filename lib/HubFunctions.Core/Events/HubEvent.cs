using System.Text.Json;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Events;

/// <summary>
/// An integration event (API.md, "Events"): what happened, to whom, when. It leaves the system as a
/// CloudEvents 1.0 JSON document whose <c>id</c> is <see cref="Id"/>, so every re-send of the same
/// event carries the same id and consumers (and Service Bus duplicate detection) drop repeats.
/// </summary>
/// <param name="Id">Unique, stable id (a GUID from the <see cref="IIdSource"/> when the event is made).</param>
/// <param name="Type">One of <see cref="EventTypes"/>, e.g. <c>hub.seller.frozen</c>.</param>
/// <param name="Subject">What it is about, e.g. <c>sellers/HGH-000042</c>.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Data">The event's data as JSON.</param>
/// <param name="SellerId">The seller concerned, if any (a routing property).</param>
/// <param name="Hub">The hub concerned, if any (a routing property).</param>
public sealed record HubEvent(string Id, string Type, string Subject, DateTimeOffset Time, JsonElement Data, string? SellerId, string? Hub)
{
    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Makes an event at the clock's current time with an id from <paramref name="ids"/>: inside an
    /// <see cref="HubOperation"/> a retry of the same request or message makes the same event id.
    /// </summary>
    public static HubEvent Create<T>(string type, string subject, T data, TimeProvider clock, IIdSource ids, string? sellerId = null, string? hub = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(ids);
        return new HubEvent(ids.NewGuid().ToString("D"), type, subject, clock.GetUtcNow(),
            JsonSerializer.SerializeToElement(data, DataJson), sellerId, hub);
    }
}

/// <summary>Publishes integration events (Service Bus in Azure, the <c>hub-events</c> queue locally).</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Sends one event. Safe to call again for the same event: the id stays the same, so the
    /// broker's duplicate detection or the consumer drops the repeat.
    /// </summary>
    Task PublishAsync(HubEvent hubEvent, CancellationToken cancellationToken);
}

/// <summary>The event types of API.md, one constant each (the README lists them with examples).</summary>
public static class EventTypes
{
    public const string SellerFrozen = "hub.seller.frozen";
    public const string SellerUnfrozen = "hub.seller.unfrozen";
    public const string SellerRenewalReminder = "hub.seller.renewal-reminder";
    public const string OrderConvertedToNonHub = "hub.order.converted-to-non-hub";
    public const string AppointmentCancelled = "hub.appointment.cancelled";
    public const string InvoiceIssued = "hub.invoice.issued";
    public const string RectificationOpened = "hub.rectification.opened";
    public const string RectificationClosed = "hub.rectification.closed";
    public const string ApplicationSlaAtRisk = "hub.application.sla-at-risk";
    public const string ApplicationSlaBreached = "hub.application.sla-breached";
}
