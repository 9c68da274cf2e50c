using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml;

namespace HubFunctions.Infra.Tests;

/// <summary>
/// What a deployment of infra/main.bicepparam would create, with names, parameters and role
/// definition ids resolved (bicep snapshot evaluates everything known before deployment; values
/// that come from other resources at deployment time, such as the principal id, stay expressions).
/// </summary>
[Collection(InfraCollection.Name)]
public sealed partial class SnapshotTests(InfraFixture infra)
{
    private async Task<IReadOnlyList<JsonObject>> PredictedAsync()
    {
        var run = await infra.Snapshot;
        Assert.True(run.IsClean, run.ToString());
        var snapshot = await infra.Predicted;
        Assert.Empty(snapshot["diagnostics"]!.AsArray());
        return Arm.Predicted(snapshot);
    }

    [Fact]
    public async Task The_function_app_identity_gets_exactly_the_four_data_roles_at_the_narrowest_scope()
    {
        var predicted = await PredictedAsync();
        var storageId = Arm.Single(predicted, "Microsoft.Storage/storageAccounts").Str("id")!;
        var topicId = Arm.Single(predicted, "Microsoft.ServiceBus/namespaces/topics").Str("id")!;
        var siteId = Arm.Single(predicted, "Microsoft.Web/sites").Str("id")!;
        var assignments = Arm.OfType(predicted, "Microsoft.Authorization/roleAssignments");

        var byRole = assignments.ToDictionary(
            a => a.Str("properties", "roleDefinitionId")!.Split('/')[^1],
            a => a);
        Assert.Equal(
            BuiltInRoles.Storage.Append(BuiltInRoles.ServiceBusDataSender).Order(),
            byRole.Keys.Order());
        Assert.All(assignments, a =>
        {
            Assert.Equal("ServicePrincipal", a.Str("properties", "principalType"));
            Assert.Equal(
                $"/subscriptions/{InfraFixture.SubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{a.Str("properties", "roleDefinitionId")!.Split('/')[^1]}",
                a.Str("properties", "roleDefinitionId"));
            // Known only once the app exists: the Function App's own system-assigned identity.
            Assert.StartsWith($"[reference('{siteId}', ", a.Str("properties", "principalId"), StringComparison.Ordinal);
            Assert.EndsWith(").identity.principalId]", a.Str("properties", "principalId"), StringComparison.Ordinal);
        });

        foreach (var role in BuiltInRoles.Storage)
        {
            Assert.StartsWith($"[extensionResourceId('{storageId}', 'Microsoft.Authorization/roleAssignments'", byRole[role].Str("id"), StringComparison.Ordinal);
        }

        Assert.StartsWith($"[extensionResourceId('{topicId}', 'Microsoft.Authorization/roleAssignments'", byRole[BuiltInRoles.ServiceBusDataSender].Str("id"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_events_topic_detects_duplicates_for_at_least_a_day()
    {
        var topic = Arm.Single(await PredictedAsync(), "Microsoft.ServiceBus/namespaces/topics");

        Assert.EndsWith("/hub-events", topic.Str("name"), StringComparison.Ordinal);
        Assert.True(topic.Bool("properties", "requiresDuplicateDetection"));
        var window = XmlConvert.ToTimeSpan(topic.Str("properties", "duplicateDetectionHistoryTimeWindow")!);
        Assert.InRange(window, TimeSpan.FromHours(24), TimeSpan.FromDays(7));
    }

    [Fact]
    public async Task The_function_app_runs_dotnet_isolated_10_on_Flex_Consumption_with_its_own_identity()
    {
        var predicted = await PredictedAsync();
        var plan = Arm.Single(predicted, "Microsoft.Web/serverfarms");
        var site = Arm.Single(predicted, "Microsoft.Web/sites");

        Assert.Equal("FC1", plan.Str("sku", "name"));
        Assert.Equal("FlexConsumption", plan.Str("sku", "tier"));
        Assert.Equal(plan.Str("id"), site.Str("properties", "serverFarmId"));
        Assert.Equal("SystemAssigned", site.Str("identity", "type"));
        Assert.Equal("dotnet-isolated", site.Str("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("10.0", site.Str("properties", "functionAppConfig", "runtime", "version"));
        Assert.Equal("servicebus", Arm.AppSettings(site)["Hub__Events__Publisher"]);
    }

    [Fact]
    public async Task Storage_account_is_identity_only_once_parameters_are_applied()
    {
        var storage = Arm.Single(await PredictedAsync(), "Microsoft.Storage/storageAccounts");

        Assert.False(storage.Bool("properties", "allowSharedKeyAccess"));
        Assert.False(storage.Bool("properties", "allowBlobPublicAccess"));
        Assert.Equal("TLS1_2", storage.Str("properties", "minimumTlsVersion"));
    }

    [Fact]
    public async Task Generated_names_satisfy_Azure_naming_rules()
    {
        var predicted = await PredictedAsync();

        Assert.Matches(StorageName(), Arm.Single(predicted, "Microsoft.Storage/storageAccounts").Str("name"));
        Assert.Matches(ServiceBusName(), Arm.Single(predicted, "Microsoft.ServiceBus/namespaces").Str("name"));
        Assert.Matches(SiteName(), Arm.Single(predicted, "Microsoft.Web/sites").Str("name"));
    }

    [Fact]
    public async Task Every_resource_goes_to_the_deployment_location()
    {
        var located = (await PredictedAsync()).Where(r => r["location"] is not null).ToList();

        Assert.NotEmpty(located);
        Assert.All(located, r => Assert.Equal(InfraFixture.Location, r.Str("location")));
    }

    // 3-24 lowercase letters and digits.
    [GeneratedRegex("^[a-z0-9]{3,24}$")]
    private static partial Regex StorageName();

    // 6-50 characters, letters, digits and hyphens, starts with a letter, ends with a letter or digit.
    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$")]
    private static partial Regex ServiceBusName();

    // 2-60 characters, letters, digits and hyphens, no leading or trailing hyphen.
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$")]
    private static partial Regex SiteName();
}
