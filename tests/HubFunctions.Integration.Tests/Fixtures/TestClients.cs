using System.Text;
using HubFunctions.Infrastructure.Security;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>The signed clients every test DevHost is configured with.</summary>
public static class TestClients
{
    public sealed record Client(string Id, string Role, string Secret, string? SellerId = null, string? Hub = null);

    public static readonly Client Platform = new("test-platform", "platform", Secret("platform"));
    public static readonly Client Seller = new("test-seller", "seller", Secret("seller"), SellerId: "demo-seller");
    public static readonly Client Wms = new("test-wms", "wms", Secret("wms"), SellerId: "demo-seller");
    public static readonly Client Operator = new("test-hangzhou", "hub-operator", Secret("operator"), Hub: "hangzhou");
    public static readonly Client Reviewer = new("test-reviewer", "reviewer", Secret("reviewer"));

    /// <summary>A seller whose secret was rotated: the new one is Secret, the old one PreviousSecret.</summary>
    public static readonly Client Rotating = new("test-rotating", "seller", Secret("rotating-new"), SellerId: "rotating-seller");
    public static readonly string RotatingPrevious = Secret("rotating-old");

    public static readonly Client[] All = [Platform, Seller, Wms, Operator, Reviewer, Rotating];

    public static string Secret(string seed) => WebhookSignature.SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes($"test-secret-{seed}-0123456789"));

    public static IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        foreach (var c in All)
        {
            yield return new($"Hub:Clients:{c.Id}:Secret", c.Secret);
            yield return new($"Hub:Clients:{c.Id}:Role", c.Role);
            if (c.SellerId is not null)
            {
                yield return new($"Hub:Clients:{c.Id}:SellerId", c.SellerId);
            }

            if (c.Hub is not null)
            {
                yield return new($"Hub:Clients:{c.Id}:Hub", c.Hub);
            }
        }

        yield return new($"Hub:Clients:{Rotating.Id}:PreviousSecret", RotatingPrevious);
    }
}
