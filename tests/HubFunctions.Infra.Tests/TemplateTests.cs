using System.Text.Json.Nodes;

namespace HubFunctions.Infra.Tests;

/// <summary>What the compiled ARM template (bicep build infra/main.bicep) declares.</summary>
[Collection(InfraCollection.Name)]
public sealed class TemplateTests(InfraFixture infra)
{
    private async Task<List<JsonObject>> ResourcesAsync() => Arm.Resources(await infra.Template).ToList();

    [Fact]
    public async Task Storage_account_takes_no_shared_key_and_no_anonymous_or_plain_http_access()
    {
        var storage = Arm.Single(await ResourcesAsync(), "Microsoft.Storage/storageAccounts");

        Assert.Equal("StorageV2", storage.Str("kind"));
        Assert.False(storage.Bool("properties", "allowSharedKeyAccess"));
        Assert.False(storage.Bool("properties", "allowBlobPublicAccess"));
        Assert.True(storage.Bool("properties", "supportsHttpsTrafficOnly"));
        Assert.True(storage.Bool("properties", "defaultToOAuthAuthentication"));
        Assert.Equal("TLS1_2", storage.Str("properties", "minimumTlsVersion"));
    }

    [Fact]
    public async Task A_private_blob_container_holds_the_deployment_package()
    {
        var container = Arm.Single(await ResourcesAsync(), "Microsoft.Storage/storageAccounts/blobServices/containers");

        Assert.Equal("None", container.Str("properties", "publicAccess"));
    }

    [Fact]
    public async Task The_plan_is_Flex_Consumption()
    {
        var plan = Arm.Single(await ResourcesAsync(), "Microsoft.Web/serverfarms");

        Assert.Equal("FC1", plan.Str("sku", "name"));
        Assert.Equal("FlexConsumption", plan.Str("sku", "tier"));
        Assert.True(plan.Bool("properties", "reserved"), "Flex Consumption runs on Linux (reserved: true).");
    }

    [Fact]
    public async Task The_function_app_has_a_system_assigned_identity_and_the_dotnet_isolated_runtime()
    {
        var template = await infra.Template;
        var site = Arm.Single(Arm.Resources(template), "Microsoft.Web/sites");

        Assert.Equal("SystemAssigned", site.Str("identity", "type"));
        Assert.Equal("functionapp,linux", site.Str("kind"));
        Assert.True(site.Bool("properties", "httpsOnly"));
        Assert.Equal("dotnet-isolated", site.Str("properties", "functionAppConfig", "runtime", "name"));
        Assert.Equal("[parameters('dotnetVersion')]", site.Str("properties", "functionAppConfig", "runtime", "version"));
        Assert.Equal("10.0", template.Str("parameters", "dotnetVersion", "defaultValue"));
        Assert.Equal("10.0", Arm.Module(template, "functionApp").Str("parameters", "dotnetVersion", "defaultValue"));

        var deploymentStorage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"];
        Assert.Equal("blobContainer", deploymentStorage.Str("type"));
        Assert.Equal("SystemAssignedIdentity", deploymentStorage.Str("authentication", "type"));
    }

    [Fact]
    public async Task App_settings_use_identity_based_connections_and_the_Service_Bus_publisher()
    {
        var site = Arm.Single(await ResourcesAsync(), "Microsoft.Web/sites");
        var settings = Arm.AppSettings(site);

        Assert.Contains("AzureWebJobsStorage__accountName", settings.Keys);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", settings.Keys);
        Assert.Equal("servicebus", settings["Hub__Events__Publisher"]);
        Assert.Contains("Hub__Events__ServiceBus__FullyQualifiedNamespace", settings.Keys);
        Assert.Contains("Hub__Events__ServiceBus__Topic", settings.Keys);

        // No connection string for storage, and nothing Flex Consumption refuses (the runtime is
        // set in functionAppConfig).
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", settings.Keys);
    }

    [Fact]
    public async Task No_key_or_connection_string_is_read_anywhere()
    {
        var json = (await infra.Template).ToJsonString();

        foreach (var secret in new[] { "listKeys", "listConnectionStrings", "AccountKey=", "SharedAccessKey" })
        {
            Assert.DoesNotContain(secret, json, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Basic_auth_publishing_is_off()
    {
        var policies = Arm.OfType(await ResourcesAsync(), "Microsoft.Web/sites/basicPublishingCredentialsPolicies");

        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False(p.Bool("properties", "allow")));
    }

    [Fact]
    public async Task Service_Bus_is_Standard_identity_only_with_a_duplicate_detecting_topic()
    {
        var resources = await ResourcesAsync();
        var ns = Arm.Single(resources, "Microsoft.ServiceBus/namespaces");
        var topic = Arm.Single(resources, "Microsoft.ServiceBus/namespaces/topics");

        Assert.Equal("Standard", ns.Str("sku", "name"));
        Assert.True(ns.Bool("properties", "disableLocalAuth"));
        Assert.True(topic.Bool("properties", "requiresDuplicateDetection"));
        Assert.Equal("hub-events", Arm.Module(await infra.Template, "serviceBus").Str("parameters", "topicName", "defaultValue"));
    }

    [Fact]
    public async Task Role_assignments_name_the_four_data_roles_for_a_service_principal()
    {
        var template = await infra.Template;
        var assignments = Arm.OfType(Arm.Resources(template), "Microsoft.Authorization/roleAssignments");

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", a.Str("properties", "principalType")));
        Assert.All(assignments, a => Assert.Contains("subscriptionResourceId('Microsoft.Authorization/roleDefinitions'", a.Str("properties", "roleDefinitionId"), StringComparison.Ordinal));

        var roles = Arm.Module(template, "roles").ToJsonString();
        foreach (var role in BuiltInRoles.Storage.Append(BuiltInRoles.ServiceBusDataSender))
        {
            Assert.Contains(role, roles, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Application_Insights_is_workspace_based()
    {
        var resources = await ResourcesAsync();
        var appInsights = Arm.Single(resources, "Microsoft.Insights/components");
        Arm.Single(resources, "Microsoft.OperationalInsights/workspaces");

        Assert.Equal("web", appInsights.Str("properties", "Application_Type"));
        Assert.NotNull(appInsights.Str("properties", "WorkspaceResourceId"));
    }

    [Fact]
    public async Task Main_outputs_what_a_deployment_script_needs()
    {
        var outputs = (await infra.Template)["outputs"]!.AsObject().Select(o => o.Key).ToList();

        Assert.Contains("functionAppName", outputs);
        Assert.Contains("functionAppHostName", outputs);
        Assert.Contains("storageAccountName", outputs);
        Assert.Contains("serviceBusNamespaceName", outputs);
    }
}
