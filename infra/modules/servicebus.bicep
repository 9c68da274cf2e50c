// Service Bus namespace and the topic integration events are published to. The outbox publishes
// each event with its event id as MessageId, so duplicate detection drops a re-publish after a
// crash between "sent" and "marked as sent".

@description('Azure region for the resources.')
param location string

@description('Service Bus namespace name (6-50 characters, globally unique).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Topic the app publishes integration events to.')
param topicName string = 'hub-events'

@description('How long Service Bus remembers a MessageId for duplicate detection (ISO 8601, at least 24 hours, at most 7 days).')
param duplicateDetectionWindow string = 'P1D'

@description('Tags applied to every resource.')
param tags { *: string } = {}

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Identity only: no SAS keys.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: 'P14D'
    supportOrdering: false
    enablePartitioning: false
  }
}

@description('Name of the namespace.')
output namespaceName string = namespace.name

@description('Host name of the namespace, e.g. NAME.servicebus.windows.net.')
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]

@description('Name of the topic.')
output topicName string = topic.name
