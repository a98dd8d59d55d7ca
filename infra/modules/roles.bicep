// Least-privilege data roles for the function app's identity, each scoped to the narrowest resource that still works.
// No Owner or Contributor management role anywhere, and no Data Owner on Service Bus: the identity reads and writes
// data, never changes the resources.

@description('Principal id of the function app identity.')
param principalId string

@description('Storage account the app uses (AzureWebJobsStorage).')
param storageAccountName string

@description('Every queue the app uses: each running platform\'s processing queue and its poison queue (all in storageAccountName).')
param queueNames string[]

@description('Service Bus namespace holding the topic.')
param serviceBusNamespaceName string

@description('Topic the webhook publishes to (the only Service Bus entity the app touches).')
param topicName string

@description('Application Insights component the app sends telemetry to with its identity.')
param applicationInsightsName string

@description('Key Vault holding the Connect and webhook secrets.')
param keyVaultName string

@description('Principal id of an operator (user or group) who may manage Key Vault secrets; empty grants nobody.')
param operatorPrincipalId string = ''

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

var roles = {
  // AzureWebJobsStorage with an identity: the Functions host keeps its locks and keys in blobs and creates its own
  // containers, and Microsoft documents Blob Data Owner as the host's minimum. It also covers the Flex deployment
  // container (the platform reads the package with this identity) and the app's quarantine container. Account scope,
  // because the host names and creates its containers itself.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queue rights, on the running platforms' processing queues and their poison queues only. Sender + Message Processor (+ Reader, which
  // Microsoft lists for the trigger) would not work: the WebJobs queue listener makes a failed message visible again
  // with Update Message (messages/write) and moves the last failure to '<queue>-poison' with Create Queue
  // (queues/write) + Put Message, and the webhook's publisher calls Create Queue if missing too. Neither messages/write
  // nor queues/write is in any narrower built-in role, so Queue Data Contributor, scoped per queue, is the smallest set.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The processed-event and token tables (insert-first claims, ETag updates), and the host's diagnostic-event tables,
  // which it creates per month: so account scope.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // The webhook publishes verified events to the topic; Send only, on the topic only.
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  // Application Insights with local auth disabled accepts telemetry only from identities holding this role.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Read secret values and list names (Key Vault references and the webhook key store, which lists by prefix: vault
  // scope).
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // Operators write and rotate secrets; only assigned when a principal is given.
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource queueService 'queueServices' existing = {
    name: 'default'
  }
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [for name in queueNames: {
  parent: storage::queueService
  name: name
}]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName

  resource topic 'topics' existing = {
    name: topicName
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in [
  roles.storageBlobDataOwner
  roles.storageTableDataContributor
]: {
  name: guid(storage.id, principalId, role)
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
  }
}]

resource queueRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in queueNames: {
  name: guid(queues[i].id, principalId, roles.storageQueueDataContributor)
  scope: queues[i]
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}]

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::topic.id, principalId, roles.serviceBusDataSender)
  scope: serviceBus::topic
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource secretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}
