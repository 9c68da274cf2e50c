// The Function App on the Flex Consumption plan (FC1), .NET isolated worker, with a system-assigned
// managed identity. Every connection is identity-based: no keys or connection strings with secrets.
// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be set as app settings (the platform rejects them).

@description('Azure region for the resources.')
param location string

@description('Flex Consumption plan name.')
param planName string

@description('Function App name (globally unique: it is the host name).')
param functionAppName string

@description('Name of the storage account the host and the app use (identity-based).')
param storageAccountName string

@description('URL of the blob container the plan deploys the app package from.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('Service Bus host name, e.g. NAME.servicebus.windows.net.')
param serviceBusFullyQualifiedNamespace string

@description('Service Bus topic for integration events.')
param serviceBusTopicName string

@description('.NET isolated worker version.')
param dotnetVersion string = '10.0'

@description('Memory per instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound on instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Tags applied to every resource.')
param tags { *: string } = {}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        {
          // The host (and lib/HubFunctions.Infrastructure) derive the blob, queue and table
          // endpoints from the account name and use the managed identity.
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsightsConnectionString
        }
        {
          name: 'Hub__Events__Publisher'
          value: 'servicebus'
        }
        {
          name: 'Hub__Events__ServiceBus__FullyQualifiedNamespace'
          value: serviceBusFullyQualifiedNamespace
        }
        {
          name: 'Hub__Events__ServiceBus__Topic'
          value: serviceBusTopicName
        }
        {
          // Queue triggers name their queue through this setting (%Hub:Storage:OutboxRelayQueue%).
          name: 'Hub__Storage__OutboxRelayQueue'
          value: 'outbox-relay'
        }
        {
          // %Hub:Storage:PreReviewQueue% (queue trigger EvaluatePreReview).
          name: 'Hub__Storage__PreReviewQueue'
          value: 'application-prereview'
        }
        {
          // %Hub:Storage:DocumentValidationQueue% (queue trigger ValidateDocument).
          name: 'Hub__Storage__DocumentValidationQueue'
          value: 'document-validation'
        }
        {
          // %Hub:Storage:TaxRecheckQueue% (queue trigger RecheckTaxRating, CMP-5).
          name: 'Hub__Storage__TaxRecheckQueue'
          value: 'tax-recheck'
        }
        {
          // %Hub:Compliance:SweepSchedule% (timer ComplianceSweep): 00:05 Asia/Shanghai, in UTC.
          name: 'Hub__Compliance__SweepSchedule'
          value: '0 5 16 * * *'
        }
        {
          // %Hub:Documents:OrphanSweepSchedule% (timer SweepOrphanDocumentFiles): hourly, minute 20.
          name: 'Hub__Documents__OrphanSweepSchedule'
          value: '0 20 * * * *'
        }
        {
          // %Hub:Idempotency:PurgeSchedule% (timer PurgeIdempotency): hourly, minute 30; each run stops at Hub:Idempotency:PurgeBudget.
          name: 'Hub__Idempotency__PurgeSchedule'
          value: '0 30 * * * *'
        }
        {
          // %Hub:Storage:OrderCutoffQueue% (queue trigger SweepOrderCutoffShard, DSP-3 fan-out).
          name: 'Hub__Storage__OrderCutoffQueue'
          value: 'order-cutoff'
        }
        {
          // %Hub:Orders:SweepSchedule% (timer PlanOrderCutoff, DSP-3): every 20 s, so an order is converted at most about 20 s
          // plus the processing after its deadline (DSP-3 allows 60 s; every 10 s in s12-s14, README s15).
          name: 'Hub__Orders__SweepSchedule'
          value: '*/20 * * * * *'
        }
        {
          // %Hub:Storage:BillingRunQueue% (queue trigger BillSeller, BIL-6).
          name: 'Hub__Storage__BillingRunQueue'
          value: 'billing-run'
        }
        {
          // %Hub:Billing:RunSchedule% (timer StartMonthlyBillingRun): 01:00 UTC on the 1st = 09:00 Asia/Shanghai, the previous month.
          name: 'Hub__Billing__RunSchedule'
          value: '0 0 1 1 * *'
        }
        {
          // Billing PDFs' fonts: empty = the fonts/ folder shipped inside the app package (functions/HubFunctions.Functions/fonts,
          // copied by build and publish); the Debian paths are only a fallback and do not exist on Azure's Functions hosts.
          name: 'Hub__Pdf__FontFolder'
          value: ''
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

// Deployments go through Microsoft Entra ID (zip deploy with a token), never basic-auth publishing
// credentials.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

@description('Name of the Function App.')
output name string = functionApp.name

@description('Default host name of the Function App.')
output defaultHostName string = functionApp.properties.defaultHostName

@description('Object id of the app\'s system-assigned managed identity.')
output principalId string = functionApp.identity.principalId
