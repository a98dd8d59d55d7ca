// Flex Consumption plan (FC1) and the function app: runtime 'custom' (our ASP.NET Core custom handler), package
// deployed from a blob container with the user-assigned identity, identity-based connections everywhere.

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

@description('Topic the webhook publishes to.')
param topicName string

@description('The processor\'s subscription on the topic (the ProcessConnectEvent trigger).')
param processorSubscriptionName string

@description('The subscription\'s max delivery count: the processor marks the last delivery dead-lettered.')
param processorMaxDeliveryCount int

@description('Key Vault URI (webhook key store).')
param keyVaultUri string

@description('Secret URI of the Connect secret API key (Key Vault reference).')
param connectSecretUri string

@description('Prefix of webhook key secret names in Key Vault.')
param webhookKeyNamePrefix string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Connect API endpoint, e.g. https://api.preprod.connect.worldline-solutions.com.')
param connectEndpoint string

@description('Connect API key id (not secret).')
param connectApiKeyId string

@description('Connect merchant id.')
param connectMerchantId string

@description('Processing__AutoCapture.')
param autoCapture bool

@description('Processing__Tokenize__Enabled.')
param tokenize bool

@description('Largest number of instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance in MB (Flex Consumption offers 512, 2048 and 4096).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

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
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Functions host storage, identity-based.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
        // Lets DefaultAzureCredential pick the user-assigned identity wherever a client id is not passed.
        { name: 'AZURE_CLIENT_ID', value: identityClientId }
        // Service Bus: the webhook's publisher and the processor's trigger share this connection.
        { name: 'ServiceBusConnection__fullyQualifiedNamespace', value: serviceBusFullyQualifiedNamespace }
        { name: 'ServiceBusConnection__credential', value: 'managedidentity' }
        { name: 'ServiceBusConnection__clientId', value: identityClientId }
        { name: 'Events__Transport', value: 'ServiceBus' }
        { name: 'Events__TopicName', value: topicName }
        // Processing: the Service Bus trigger reads the processor subscription; the Storage-queue twin of the
        // function is for local runs and stays off here (its %Events__QueueName% must still resolve).
        { name: 'Processing__SubscriptionName', value: processorSubscriptionName }
        { name: 'Processing__MaxDeliveryCount', value: string(processorMaxDeliveryCount) }
        { name: 'Processing__AutoCapture', value: string(autoCapture) }
        { name: 'Processing__Tokenize__Enabled', value: string(tokenize) }
        { name: 'AzureWebJobs.ProcessConnectEventQueue.Disabled', value: 'true' }
        { name: 'Events__QueueName', value: 'connect-events' }
        // Webhook secret keys live in Key Vault (one secret per key id), read by the app's key store.
        { name: 'Webhooks__KeyVault__VaultUri', value: keyVaultUri }
        { name: 'Webhooks__KeyVault__ManagedIdentityClientId', value: identityClientId }
        { name: 'Webhooks__KeyVault__SecretPrefix', value: webhookKeyNamePrefix }
        { name: 'Webhooks__QuarantineContainer', value: quarantineContainerName }
        // Connect API client.
        { name: 'Connect__Endpoint', value: connectEndpoint }
        { name: 'Connect__ApiKeyId', value: connectApiKeyId }
        { name: 'Connect__MerchantId', value: connectMerchantId }
        { name: 'Connect__SecretApiKey', value: '@Microsoft.KeyVault(SecretUri=${connectSecretUri})' }
      ]
    }
  }
}

output FUNCTION_APP_NAME string = app.name
output FUNCTION_APP_HOST string = app.properties.defaultHostName
output WEBHOOK_URL string = 'https://${app.properties.defaultHostName}/api/webhooks/connect'
