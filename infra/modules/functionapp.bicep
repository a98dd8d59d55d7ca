// Flex Consumption plan (FC1) and the function app: runtime dotnet-isolated 10.0 (the isolated worker; the platform
// provides .NET, the package is the framework-dependent publish output), package deployed from a blob container with the
// user-assigned identity, identity-based connections everywhere. Flex takes the runtime from functionAppConfig, so
// FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not app settings here.

@description('Azure region.')
param location string

@description('Tags applied to every resource (the app also gets azd-service-name).')
param tags object

@description('Flex Consumption plan name.')
param planName string

@description('Function app name (also the host name prefix).')
param appName string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Storage account name (AzureWebJobsStorage__accountName).')
param storageAccountName string

@description('Primary blob endpoint of the storage account.')
param storageBlobEndpoint string

@description('Container the package is deployed to.')
param deploymentContainerName string

@description('Container for quarantined webhook events.')
param quarantineContainerName string

@description('Fully qualified Service Bus namespace (ServiceBusConnection__fullyQualifiedNamespace).')
param serviceBusFullyQualifiedNamespace string

@description('Topic the webhook publishes to (Events__TopicName).')
param topicName string

@description('Storage queue the webhook enqueues to and ProcessConnectEvent is triggered by (Events__QueueName).')
param queueName string

@description('Key Vault URI (webhook key store).')
param keyVaultUri string

@description('Secret URI of the Connect secret API key (Key Vault reference).')
param connectSecretUri string

@description('Prefix of webhook key secret names in Key Vault.')
param webhookKeyNamePrefix string

@description('Application Insights connection string (the component accepts only Microsoft Entra-authenticated telemetry).')
param applicationInsightsConnectionString string

@description('Whether the Connect platform is on (Connect__Enabled).')
param connectEnabled bool

@description('Connect API endpoint, e.g. https://api.preprod.connect.worldline-solutions.com.')
param connectEndpoint string

@description('Connect API key id (not secret).')
param connectApiKeyId string

@description('Connect merchant id.')
param connectMerchantId string

@description('Processing__AutoCapture.')
param autoCapture bool

@description('Tracing__SamplingRatio: the share of new traces kept (0-1, a decimal string).')
param tracingSamplingRatio string

@description('Tracing__AzureSdk: include the Azure SDK\'s spans.')
param tracingAzureSdk bool

@description('Processing__Tokenize__Enabled.')
param tokenize bool

@description('The v3 platform\'s API base URL (Platform3__Endpoint); empty switches the v3 platform off.')
param platform3Endpoint string

@description('Storage queue of v3 notifications (Platform3__QueueName); set even when the platform is off, as the host resolves every trigger.')
param platform3QueueName string

@description('Webhook secret key id v3 notification URLs are minted with (Platform3__NotificationKeyId).')
param platform3NotificationKeyId string

@description('Key Vault secret name holding the v3 Bearer access token (read through a Key Vault reference).')
param platform3AccessTokenSecretName string

@description('Largest number of instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB (Flex Consumption offers 512, 2048 and 4096).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Always-ready instances for each running queue trigger (ProcessConnectEvent, ProcessPlatform3Notification); 0 lets them scale to zero.')
@minValue(0)
param alwaysReady int

@description('Most HTTP invocations one instance runs at once (webhooks, sessions, tokens: Flex scales the HTTP functions as one group).')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Most Connect API calls the events being processed at once may make: instances × queue messages per instance × Connect calls per event.')
@minValue(2)
param connectCallBudget int

// The Connect call budget decides the queue concurrency (docs/architecture.md (Scale)). Target-based scaling adds
// instances while messages wait, and each instance runs batchSize + newBatchThreshold messages at once, each making up
// to two Connect calls (GET payment, then capture or tokenize); so the calls of the events in flight are at most
// instances × (batchSize + newBatchThreshold) × 2. The largest batch whose worst case fits is taken, the threshold
// being half the batch as in host.json; a budget too small for one event per instance lowers the instance ceiling
// too, as nothing smaller than one message per instance exists.
var connectCallsPerEvent = 2
// The Storage queue trigger's largest batch.
var largestQueueBatch = 32
var scaledInstanceCount = min(maximumInstanceCount, connectCallBudget / connectCallsPerEvent)
var eventsPerInstance = connectCallBudget / (scaledInstanceCount * connectCallsPerEvent)
// b + b/2 ≤ eventsPerInstance for b = 2/3 of it; one event per instance (b = 1, threshold 0) fits any budget left.
var queueBatchSize = min(largestQueueBatch, max(1, (eventsPerInstance * 2) / 3))
var queueNewBatchThreshold = queueBatchSize / 2
var queueConcurrencyPerInstance = queueBatchSize + queueNewBatchThreshold
// Always-ready instances go to the queue triggers that run, so the first message after a quiet spell does not wait for
// an instance to start (up to about 2 minutes from zero); each costs its memory around the clock.
var runningQueueFunctions = concat(connectEnabled ? ['ProcessConnectEvent'] : [], empty(platform3Endpoint) ? [] : ['ProcessPlatform3Notification'])
var alwaysReadyInstances = alwaysReady == 0 ? [] : map(runningQueueFunctions, name => { name: 'function:${name}', instanceCount: alwaysReady })

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
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

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: scaledInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyInstances
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Functions host storage and the queue trigger's connection (Connection = "AzureWebJobsStorage"), identity-based;
        // the app's table, queue and blob clients read the same settings.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        // Telemetry with the identity (Monitoring Metrics Publisher): the component has local auth disabled.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        // Traces go to the same component; sampling keeps an event's trace whole or drops it whole.
        { name: 'Tracing__SamplingRatio', value: tracingSamplingRatio }
        { name: 'Tracing__AzureSdk', value: string(tracingAzureSdk) }
        // Lets DefaultAzureCredential pick the user-assigned identity wherever a client id is not passed.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        // The processing path: the webhook enqueues here and ProcessConnectEvent's queue trigger (%Events__QueueName%)
        // reads it.
        { name: 'Events__QueueName', value: queueName }
        // Fan-out to other services: the webhook also publishes each event to this topic (Azure.Messaging.ServiceBus).
        { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
        { name: 'ServiceBusConnection__credential', value: 'managedidentity' }
        { name: 'ServiceBusConnection__clientId', value: identityClientId }
        { name: 'Events__TopicName', value: topicName }
        // Queue concurrency per instance, derived from the Connect call budget above (host.json holds the same values for
        // the defaults, which local runs use).
        { name: 'AzureFunctionsJobHost__extensions__queues__batchSize', value: string(queueBatchSize) }
        { name: 'AzureFunctionsJobHost__extensions__queues__newBatchThreshold', value: string(queueNewBatchThreshold) }
        // Processing policy.
        { name: 'Processing__AutoCapture', value: string(autoCapture) }
        { name: 'Processing__Tokenize__Enabled', value: string(tokenize) }
        // Webhook secret keys live in Key Vault (one secret per key id), read by the app's key store.
        { name: 'Webhooks__KeyVault__VaultUri', value: keyVaultUri }
        { name: 'Webhooks__KeyVault__clientId', value: identityClientId }
        { name: 'Webhooks__KeyVault__SecretPrefix', value: webhookKeyNamePrefix }
        { name: 'Webhooks__QuarantineContainer', value: quarantineContainerName }
        // Connect API client; with the platform off its routes answer 404 and its queue trigger is switched off.
        { name: 'Connect__Enabled', value: string(connectEnabled) }
        { name: 'AzureWebJobs.ProcessConnectEvent.Disabled', value: string(!connectEnabled) }
        { name: 'Connect__Endpoint', value: connectEndpoint }
        { name: 'Connect__ApiKeyId', value: connectApiKeyId }
        { name: 'Connect__MerchantId', value: connectMerchantId }
        { name: 'Connect__SecretApiKey', value: '@Microsoft.KeyVault(SecretUri=${connectSecretUri})' }
        // The v3 platform: on exactly when Platform3__Endpoint is set. Its queue trigger is switched off with it.
        { name: 'Platform3__Endpoint', value: platform3Endpoint }
        { name: 'Platform3__QueueName', value: platform3QueueName }
        { name: 'Platform3__NotificationKeyId', value: platform3NotificationKeyId }
        { name: 'Platform3__AccessToken', value: empty(platform3Endpoint) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${platform3AccessTokenSecretName})' }
        { name: 'AzureWebJobs.ProcessPlatform3Notification.Disabled', value: string(empty(platform3Endpoint)) }
      ]
    }
  }
}

output FUNCTION_APP_NAME string = app.name
output WEBHOOK_URL string = 'https://${app.properties.defaultHostName}/api/webhooks/connect'
output MAXIMUM_INSTANCE_COUNT int = scaledInstanceCount
output QUEUE_BATCH_SIZE int = queueBatchSize
output QUEUE_NEW_BATCH_THRESHOLD int = queueNewBatchThreshold
output CONNECT_CALLS_AT_MOST int = scaledInstanceCount * queueConcurrencyPerInstance * connectCallsPerEvent
