namespace HubFunctions.Infra.Tests;

/// <summary>Azure built-in role definition ids (the same in every Azure cloud).</summary>
public static class BuiltInRoles
{
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string ServiceBusDataSender = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";

    public static readonly IReadOnlySet<string> Storage = new HashSet<string>
    {
        StorageBlobDataOwner,
        StorageQueueDataContributor,
        StorageTableDataContributor,
    };
}
