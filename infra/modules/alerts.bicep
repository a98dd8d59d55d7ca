// Alert rules for the support engineer's "tell me before customers do". Every rule notifies one action group: an existing
// one (actionGroupId) or one created here for an email address (alertEmail). main.bicep deploys this module only when one
// of the two is given, so a deployment without either has no alert rules at all.
//
// Why the rules read what they read:
// - Poison queue: Azure Storage publishes queue metrics (QueueMessageCount) per account only, never per queue, so the
//   poison queue's depth cannot be a metric alert. The rule counts arrivals instead: every delivery the processor gives
//   up on (connect_events.events.processed, disposition deadlettered) plus the Functions host's own "moving message to
//   queue '<queue>-poison'" trace, which also covers an invocation that crashed or timed out before it could record.
// - Quarantine and Failed records, signature failures: the app's ConnectEvents meter (customMetrics in Application
//   Insights; each row is one export interval's delta, its valueSum the count).
// - Webhook 5xx: the Functions host's request telemetry for the ConnectWebhook function.
// - Service Bus: the namespace metric DeadletteredMessages on the topic's entity (its subscriptions' dead-letter queues).

@description('Azure region of the scheduled query rules.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Prefix of the rule names (e.g. the resource token).')
param namePrefix string

@description('Resource id of an existing action group to notify; empty creates one for alertEmail.')
param actionGroupId string

@description('Email address of the action group created when actionGroupId is empty.')
param alertEmail string

@description('Application Insights component the app and the Functions host report to.')
param applicationInsightsName string

@description('Service Bus namespace holding the topic.')
param serviceBusNamespaceName string

@description('Topic whose subscriptions\' dead-lettered messages alert.')
param topicName string

@description('The processing queues of the platforms that are on (each one\'s poison queue is <name>-poison).')
param queueNames string[]

@description('Webhook requests rejected for their signature or key id within 15 minutes above which the signature alert fires.')
@minValue(0)
param signatureFailureThreshold int

@description('Quarantined events and Failed records within 1 hour above which the quarantine alert fires.')
@minValue(0)
param quarantineFailedThreshold int

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource emailGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (empty(actionGroupId)) {
  name: 'ag-${namePrefix}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'connectevts'
    enabled: true
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var notify = empty(actionGroupId) ? resourceId('Microsoft.Insights/actionGroups', 'ag-${namePrefix}') : actionGroupId

// One scheduled query per row: each query returns one number (Count) for its window; the rule fires above threshold.
var logRules = [
  {
    name: 'poison'
    displayName: 'Connect Events: messages moved to the poison queue'
    description: 'A queue message used up its deliveries and sits in a poison queue (${join(map(queueNames, q => '${q}-poison'), ', ')}). Find it with the poison query in docs/operations.md (Metrics, alerts and the queries support runs), fix the cause, then replay it.'
    severity: 1
    windowSize: 'PT15M'
    threshold: 0
    query: '''
let recorded = customMetrics
    | where name == "connect_events.events.processed" and tostring(customDimensions.disposition) == "deadlettered"
    | summarize Count = sum(valueSum);
let moved = traces
    | where message matches regex @"Moving message to queue '({queues})-poison'"
    | summarize Count = todouble(count());
// The same message is usually in both: the larger of the two is how many at least arrived.
union recorded, moved
| summarize Count = max(Count)
'''
  }
  {
    name: 'quarantine-failed'
    displayName: 'Connect Events: quarantined events or Failed records'
    description: 'Signed events were quarantined (unreadable, wrong apiVersion, too large) or Connect refused an event for good (a Failed record). Both wait for a fix and a replay.'
    severity: 2
    windowSize: 'PT1H'
    threshold: quarantineFailedThreshold
    query: '''
customMetrics
| where (name == "connect_events.webhook.requests" and tostring(customDimensions.outcome) == "quarantined")
    or (name == "connect_events.events.processed" and (tostring(customDimensions.outcome) == "quarantined" or tostring(customDimensions.disposition) == "failed"))
| summarize Count = sum(valueSum)
'''
  }
  {
    name: 'signature-failures'
    displayName: 'Connect Events: webhook signature failures'
    description: 'Webhook POSTs rejected with 401 above the threshold: a rotated or missing webhook key (unknown-key-id), a wrong secret, or someone probing the endpoint.'
    severity: 2
    windowSize: 'PT15M'
    threshold: signatureFailureThreshold
    query: '''
customMetrics
| where name == "connect_events.webhook.requests" and tostring(customDimensions.outcome) == "rejected"
    and tostring(customDimensions.reason) in ("bad-signature", "unknown-key-id", "missing-signature", "missing-key-id", "duplicate-signature", "duplicate-key-id")
| summarize Count = sum(valueSum)
'''
  }
  {
    name: 'webhook-5xx'
    displayName: 'Connect Events: webhook answered 5xx'
    description: 'The webhook answered 5xx (usually 503: storage or the key store unavailable); Worldline retries, but nothing is being accepted meanwhile.'
    severity: 1
    windowSize: 'PT15M'
    threshold: 0
    query: '''
requests
| where operation_Name == "ConnectWebhook" and toint(resultCode) >= 500
| summarize Count = count()
'''
  }
]

resource queryRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in logRules: {
  name: 'alert-${namePrefix}-${rule.name}'
  location: location
  tags: tags
  dependsOn: [emailGroup]
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: rule.windowSize
    criteria: {
      allOf: [
        {
          query: replace(rule.query, '{queues}', join(queueNames, '|'))
          timeAggregation: 'Total'
          metricMeasureColumn: 'Count'
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [notify]
    }
  }
}]

resource deadLettered 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${namePrefix}-servicebus-deadlettered'
  location: 'global'
  tags: tags
  dependsOn: [emailGroup]
  properties: {
    description: 'Messages are dead-lettered on a subscription of the ${topicName} topic: a downstream service cannot process them.'
    severity: 2
    enabled: true
    scopes: [serviceBus.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'deadlettered'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [topicName]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: notify
      }
    ]
  }
}
