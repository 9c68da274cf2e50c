// HubFunctions in Azure: a Function App on the Flex Consumption plan with a system-assigned managed
// identity, its storage account (shared-key access off), a Service Bus topic for integration events,
// Application Insights on a Log Analytics workspace, and least-privilege data-plane roles.
// Plain resources only (no registry modules): it builds and lints offline. See infra/README.md.
targetScope = 'resourceGroup'

@description('Azure region for every resource. Defaults to the resource group\'s.')
param location string = resourceGroup().location

@description('Environment name, used as the name prefix (e.g. hub-dev, hub-prod).')
@minLength(2)
@maxLength(16)
param environmentName string

@description('.NET isolated worker version for the Flex Consumption runtime.')
param dotnetVersion string = '10.0'

@description('Memory per Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on Function App instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Storage redundancy.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Service Bus duplicate detection window for the events topic (ISO 8601; at least P1D, at most P7D).')
param duplicateDetectionWindow string = 'P1D'

@description('Days the Log Analytics workspace keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Extra tags applied to every resource.')
param tags { *: string } = {}

// Globally unique names get a stable suffix derived from the subscription, resource group and
// environment, so a redeployment updates the same resources.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var prefix = toLower(environmentName)
var allTags = union(tags, {
  'azd-env-name': environmentName
  application: 'hubfunctions'
})

var names = {
  workspace: 'log-${prefix}'
  appInsights: 'appi-${prefix}'
  storage: 'st${take(replace(prefix, '-', ''), 9)}${resourceToken}'
  deploymentContainer: 'deployment-package'
  serviceBus: 'sb-${prefix}-${resourceToken}'
  eventsTopic: 'hub-events'
  plan: 'plan-${prefix}'
  functionApp: 'func-${prefix}-${resourceToken}'
}

module monitoring 'modules/monitoring.bicep' = {
  params: {
    location: location
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    retentionInDays: logRetentionInDays
    tags: allTags
  }
}

module storage 'modules/storage.bicep' = {
  params: {
    location: location
    storageAccountName: names.storage
    deploymentContainerName: names.deploymentContainer
    skuName: storageSkuName
    tags: allTags
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  params: {
    location: location
    namespaceName: names.serviceBus
    topicName: names.eventsTopic
    duplicateDetectionWindow: duplicateDetectionWindow
    tags: allTags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  params: {
    location: location
    planName: names.plan
    functionAppName: names.functionApp
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    serviceBusTopicName: serviceBus.outputs.topicName
    dotnetVersion: dotnetVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    tags: allTags
  }
}

// Names are passed as values known when the deployment starts (not module outputs), so the role
// assignments' scopes are known to What-If. The storage account and the topic exist by then: the
// principal id comes from the Function App module, which itself depends on both. The principal id
// is a runtime value by nature (it exists once the app does).
module roles 'modules/roles.bicep' = {
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: names.storage
    serviceBusNamespaceName: names.serviceBus
    serviceBusTopicName: names.eventsTopic
  }
}

@description('Name of the Function App.')
output functionAppName string = functionApp.outputs.name

@description('Default host name of the Function App (https://HOST/api/...).')
output functionAppHostName string = functionApp.outputs.defaultHostName

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.name

@description('Name of the Service Bus namespace.')
output serviceBusNamespaceName string = serviceBus.outputs.namespaceName

@description('Host name of the Service Bus namespace.')
output serviceBusFullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
