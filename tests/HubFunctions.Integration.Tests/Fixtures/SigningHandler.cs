using HubFunctions.Infrastructure.Security;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Signs each outgoing request the Standard Webhooks way, unless the test set the headers itself.</summary>
public sealed class SigningHandler(TestClients.Client client, TimeProvider clock) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Headers.Contains("webhook-signature"))
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var id = request.Headers.TryGetValues("webhook-id", out var ids) ? ids.Single() : "msg_" + Guid.NewGuid().ToString("N");
            Sign(request, client.Id, client.Secret, id, clock.GetUtcNow().ToUnixTimeSeconds(), body);
        }

        return await base.SendAsync(request, cancellationToken);
    }

    public static void Sign(HttpRequestMessage request, string clientId, string secret, string id, long timestamp, byte[] body)
    {
        request.Headers.Remove("x-hub-client");
        request.Headers.Remove("webhook-id");
        request.Headers.Remove("webhook-timestamp");
        request.Headers.Remove("webhook-signature");
        request.Headers.Add("x-hub-client", clientId);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(WebhookSignature.DecodeSecret(secret), id, timestamp, body));
    }
}
