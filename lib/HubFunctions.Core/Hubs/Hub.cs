namespace HubFunctions.Core.Hubs;

/// <summary>A hub of the network (H-1). Storage rent is null where the article publishes none.</summary>
public sealed record Hub(string Id, string SellerIdPrefix, string City, string Region, decimal? PublishedStorageRentPerCubicMetre);

public static class Hubs
{
    public static readonly IReadOnlyList<Hub> All =
    [
        new("hangzhou", "HGH", "Hangzhou", "East China", 18.00m),
        new("dongguan", "DGG", "Dongguan", "South China", 15.00m),
        new("tianjin", "TSN", "Tianjin", "North China", null),
        new("xian", "XIY", "Xi'an", "Central-West", null),
    ];

    public static Hub? Find(string? id) => All.FirstOrDefault(h => string.Equals(h.Id, id, StringComparison.Ordinal));

    public static bool Exists(string? id) => Find(id) is not null;
}
