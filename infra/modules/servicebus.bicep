// Service Bus Standard namespace with the topic the webhook publishes to, the processor's subscription and one
// example downstream subscription filtered on an application property. Local (SAS) auth is off: senders and
// receivers use Microsoft Entra identities.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Namespace name (6-50 letters, digits and dashes).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Topic the webhook publishes every verified event to (Events__TopicName).')
param topicName string

@description('How long the topic remembers MessageIds (= Connect event ids) to drop redeliveries; ISO 8601, at most P7D.')
param duplicateDetectionWindow string

@description('Deliveries of one message to the processor before it is dead-lettered.')
@minValue(1)
@maxValue(2000)
param processorMaxDeliveryCount int

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
    defaultMessageTimeToLive: 'P14D'
    maxSizeInMegabytes: 1024
    enableBatchedOperations: true
    supportOrdering: false
  }
}

// The ProcessConnectEvent function's subscription: every event. Lock of 5 minutes (the maximum) with the host
// renewing it; after processorMaxDeliveryCount failed deliveries, or on expiry, the message is dead-lettered.
resource processor 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: topic
  name: 'processor'
  properties: {
    maxDeliveryCount: processorMaxDeliveryCount
    lockDuration: 'PT5M'
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: 'P14D'
  }
}

// Example downstream service (a ledger) that only wants payment events. Replacing the '$Default' rule (which
// lets everything through) with the SQL filter is what makes the subscription selective.
resource ledger 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = {
  parent: topic
  name: 'ledger'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: 'P14D'
  }
}

resource ledgerFilter 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = {
  parent: ledger
  name: '$Default'
  properties: {
    filterType: 'SqlFilter'
    sqlFilter: {
      sqlExpression: 'eventType LIKE \'payment.%\''
    }
  }
}

output SERVICE_BUS_NAMESPACE_NAME string = namespace.name
output SERVICE_BUS_NAMESPACE_ID string = namespace.id
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output SERVICE_BUS_TOPIC_NAME string = topic.name
output SERVICE_BUS_PROCESSOR_SUBSCRIPTION string = processor.name
output SERVICE_BUS_EXAMPLE_SUBSCRIPTION string = ledger.name
