// Service Bus Standard namespace with the topic the webhook publishes every verified event to, for other services: the
// app itself processes from the Storage queue and never reads the topic. Duplicate detection drops a redelivered
// event id. Subscriptions exist only where subscriberSubscriptions asks for them (each downstream service reads its own
// with its own identity). Local (SAS) auth is off: senders and receivers use Microsoft Entra identities.

@export()
@description('A downstream service\'s subscription on the topic.')
type subscriberSubscription = {
  @description('Subscription name (1-50 letters, digits, periods, dashes and underscores).')
  @minLength(1)
  @maxLength(50)
  name: string

  @description('SQL filter over the application properties (eventType, eventId, merchantId, resourceType, resourceId, apiVersion, keyId); omitted, the subscription gets every event.')
  sqlFilter: string?

  @description('Deliveries of one message before it is dead-lettered; 10 when omitted.')
  @minValue(1)
  @maxValue(2000)
  maxDeliveryCount: int?
}

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

@description('Subscriptions of downstream services; empty creates none.')
param subscriberSubscriptions subscriberSubscription[]

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

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2024-01-01' = [for subscriber in subscriberSubscriptions: {
  parent: topic
  name: subscriber.name
  properties: {
    maxDeliveryCount: subscriber.?maxDeliveryCount ?? 10
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
    deadLetteringOnFilterEvaluationExceptions: true
    defaultMessageTimeToLive: 'P14D'
  }
}]

// A new subscription lets everything through its '$Default' rule; replacing that rule with the SQL filter is what makes
// the subscription selective.
resource filters 'Microsoft.ServiceBus/namespaces/topics/subscriptions/rules@2024-01-01' = [for (subscriber, i) in subscriberSubscriptions: if (!empty(subscriber.?sqlFilter ?? '')) {
  parent: subscriptions[i]
  name: '$Default'
  properties: {
    filterType: 'SqlFilter'
    sqlFilter: {
      sqlExpression: subscriber.?sqlFilter ?? ''
    }
  }
}]

output SERVICE_BUS_NAMESPACE_NAME string = namespace.name
output SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output SERVICE_BUS_TOPIC_NAME string = topic.name
