// The function app's storage account: Functions host state and the Flex deployment package (blob), the processed-event
// and token tables, each running platform's processing queue with its poison queue, and the quarantine container.
// Shared keys are off: every client uses the app's managed identity. The queues are created here, not left to the app,
// so roles.bicep can grant queue rights on exactly these queues instead of the whole account.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Blob container the Flex Consumption plan deploys the package from.')
param deploymentContainerName string

@description('Blob container for signed but unusable webhook events (Webhooks__QuarantineContainer).')
param quarantineContainerName string

@description('Processing queues of the platforms that are on (Events__QueueName, Platform3__QueueName), each read by a queue trigger; every one also gets its <name>-poison queue.')
param queueNames string[]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource quarantineContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: quarantineContainerName
  properties: { publicAccess: 'None' }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Each processing queue, then where its trigger moves a message after host.json's maxDequeueCount failed deliveries (the
// WebJobs naming rule '<queue>-poison'), kept for inspection and replay.
var allQueueNames = flatten(map(queueNames, name => [name, '${name}-poison']))

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for name in allQueueNames: {
  parent: queueService
  name: name
}]

output STORAGE_ACCOUNT_NAME string = storage.name
output STORAGE_BLOB_ENDPOINT string = storage.properties.primaryEndpoints.blob
output DEPLOYMENT_CONTAINER_NAME string = deploymentContainer.name
output QUARANTINE_CONTAINER_NAME string = quarantineContainer.name
// Every queue created (processing and poison), for the per-queue role assignments: a module reading it waits for this
// whole module, queues included.
output QUEUE_NAMES string[] = allQueueNames
