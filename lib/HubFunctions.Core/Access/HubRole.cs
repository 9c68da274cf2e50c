namespace HubFunctions.Core.Access;

/// <summary>Roles of signed clients (API.md, "Authentication").</summary>
public enum HubRole
{
    Platform,
    Seller,
    HubOperator,
    Wms,
    Reviewer,
}

public static class HubRoles
{
    /// <summary>The wire names used in configuration and responses.</summary>
    public static string ToWire(this HubRole role) => role switch
    {
        HubRole.Platform => "platform",
        HubRole.Seller => "seller",
        HubRole.HubOperator => "hub-operator",
        HubRole.Wms => "wms",
        HubRole.Reviewer => "reviewer",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static bool TryParse(string? value, out HubRole role)
    {
        foreach (var candidate in Enum.GetValues<HubRole>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}

/// <summary>
/// The authenticated caller of a request: a client id, its role and, where the role is bound, the
/// seller or hub it acts for (SEC-2).
/// </summary>
public sealed record HubCaller(string ClientId, HubRole Role, string? SellerId, string? Hub)
{
    /// <summary>
    /// True when the caller may act on the given seller's data (SEC-2): sellers and WMS clients only
    /// on their own seller; the platform, reviewers and hub operators on any seller (a hub operator's
    /// hub is checked with <see cref="ActsForHub"/>).
    /// </summary>
    public bool ActsForSeller(string sellerId) => Role switch
    {
        HubRole.Seller or HubRole.Wms => string.Equals(SellerId, sellerId, StringComparison.Ordinal),
        _ => true,
    };

    /// <summary>True when the caller may act on the given hub's data.</summary>
    public bool ActsForHub(string hub) => Role switch
    {
        HubRole.HubOperator => string.Equals(Hub, hub, StringComparison.Ordinal),
        _ => true,
    };
}
