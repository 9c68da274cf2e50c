using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using HubFunctions.Core.Events;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// HubEvent ⇄ CloudEvents 1.0 structured JSON (<c>application/cloudevents+json</c>), with the
/// CloudNative SDK. Seller and hub travel as the extension attributes <c>sellerid</c> and <c>hub</c>.
/// </summary>
public static class CloudEventCodec
{
    public const string ContentType = "application/cloudevents+json; charset=utf-8";
    public const string SourcePrefix = "/hubfunctions";

    private static readonly CloudEventAttribute SellerIdAttribute = CloudEventAttribute.CreateExtension("sellerid", CloudEventAttributeType.String);
    private static readonly CloudEventAttribute HubAttribute = CloudEventAttribute.CreateExtension("hub", CloudEventAttributeType.String);
    private static readonly JsonEventFormatter Formatter = new();

    public static CloudEvent ToCloudEvent(HubEvent e)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [SellerIdAttribute, HubAttribute])
        {
            Id = e.Id,
            Type = e.Type,
            Source = new Uri(e.Hub is null ? SourcePrefix : $"{SourcePrefix}/hubs/{e.Hub}", UriKind.Relative),
            Subject = e.Subject,
            Time = e.Time,
            DataContentType = MediaTypeNames.Application.Json,
            Data = e.Data,
        };
        if (e.SellerId is not null)
        {
            cloudEvent[SellerIdAttribute] = e.SellerId;
        }

        if (e.Hub is not null)
        {
            cloudEvent[HubAttribute] = e.Hub;
        }

        return cloudEvent;
    }

    /// <summary>The structured-mode JSON document of an event.</summary>
    public static byte[] Encode(HubEvent e) => Formatter.EncodeStructuredModeMessage(ToCloudEvent(e), out _).ToArray();

    public static HubEvent Decode(ReadOnlySpan<byte> json)
    {
        var cloudEvent = Formatter.DecodeStructuredModeMessage(json.ToArray(), new System.Net.Mime.ContentType("application/cloudevents+json"), [SellerIdAttribute, HubAttribute]);
        var data = cloudEvent.Data switch
        {
            JsonElement element => element,
            null => default,
            var other => JsonSerializer.SerializeToElement(other),
        };
        return new HubEvent(cloudEvent.Id!, cloudEvent.Type!, cloudEvent.Subject ?? "", cloudEvent.Time ?? default, data,
            cloudEvent[SellerIdAttribute] as string, cloudEvent[HubAttribute] as string);
    }
}
