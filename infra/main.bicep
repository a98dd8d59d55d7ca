// Connect Events in Azure: creates the resource group and, through modules, monitoring, storage, Service Bus,
// Key Vault, the managed identity with its data roles, and the Flex Consumption function app.
// Deploy: az deployment sub create -l <region> -f infra/main.bicep -p infra/main.bicepparam
targetScope = 'subscription'

import { subscriberSubscription } from 'modules/servicebus.bicep'

@minLength(1)
@maxLength(40)
@description('Short environment name (e.g. connect-events-prod); names the resource group and seeds resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource; pick one where Flex Consumption is available.')
param location string

@description('Tags applied to every resource.')
param tags object = {}

@description('Whether the Connect platform is on (Connect__Enabled); false runs only the v3 platform, and the Connect routes answer 404.')
param connectEnabled bool = true

@description('Connect API endpoint, e.g. https://api.preprod.connect.worldline-solutions.com.')
param connectEndpoint string

@description('Connect API key id (not secret).')
param connectApiKeyId string

@description('Connect merchant id.')
param connectMerchantId string

@secure()
@description('Connect secret API key; empty keeps the Key Vault secret as it is (set or rotate it with the CLI).')
param connectSecretApiKey string = ''

@secure()
@description('Webhook secret keys from Worldline\'s Configuration Center as { "<keyId>": "<secret>" }; empty writes none.')
param webhookSecretKeys object = {}

@description('Principal id of a user or group allowed to manage Key Vault secrets (Key Vault Secrets Officer); empty for none.')
param operatorPrincipalId string = ''

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('How long the topic remembers event ids to drop redeliveries (ISO 8601, at most P7D).')
param duplicateDetectionWindow string = 'P1D'

@description('Capture authorized PENDING_CAPTURE payments automatically (Processing__AutoCapture).')
param autoCapture bool = true

@description('Turn captured/paid card payments into stored tokens for the merchant reference (Processing__Tokenize__Enabled).')
param tokenize bool = false

@description('Share of new traces kept, 0-1, as a decimal string (Tracing__SamplingRatio); each event keeps its whole trace or none of it.')
param tracingSamplingRatio string = '1'

@description('Include the Azure SDK\'s spans (Storage, Tables, Service Bus, Key Vault calls) in traces (Tracing__AzureSdk).')
param tracingAzureSdk bool = true

@description('Storage queue the webhook enqueues to and ProcessConnectEvent is triggered by (Events__QueueName); failed messages end in <name>-poison.')
@minLength(3)
@maxLength(56)
param queueName string = 'connect-events'

@description('Subscriptions of downstream services on the topic, each with an optional SQL filter; the app itself reads none.')
param topicSubscriptions subscriberSubscription[] = []

@description('Resource id of an existing action group the alert rules notify; with alertEmail empty too, no alert rules are deployed.')
param alertActionGroupId string = ''

@description('Email address for an action group created for the alert rules (used when alertActionGroupId is empty).')
param alertEmail string = ''

@description('Webhook signature failures (401) within 15 minutes above which an alert fires.')
@minValue(0)
param signatureFailureThreshold int = 20

@description('Quarantined events plus Failed records within 1 hour above which an alert fires.')
@minValue(0)
param quarantineFailedThreshold int = 0

@description('The v3 platform\'s API base URL (Platform3__Endpoint); empty (the default) keeps the v3 platform off.')
param platform3Endpoint string = ''

@description('Storage queue of v3 notifications (Platform3__QueueName); failed messages end in <name>-poison.')
@minLength(3)
@maxLength(56)
param platform3QueueName string = 'platform3-notifications'

@description('Webhook secret key id v3 notification URLs are minted with (Platform3__NotificationKeyId); needed when the platform is on.')
param platform3NotificationKeyId string = ''

@description('Key Vault secret name of the v3 Bearer access token (set it with the CLI; never a parameter value).')
param platform3AccessTokenSecretName string = 'platform3-access-token'

@description('Largest number of function app instances.')
param maximumInstanceCount int = 40

@description('Memory per instance in MB (512, 2048 or 4096).')
param instanceMemoryMB int = 512

@description('Always-ready instances for each running queue trigger: 0 (the default) costs nothing while idle, but the first message after a quiet spell can wait up to about 2 minutes for an instance; 1 removes that wait for a fixed monthly cost (docs/architecture.md (Scale)).')
@minValue(0)
@maxValue(10)
param alwaysReady int = 0

@description('Most HTTP invocations (webhooks, sessions, tokens) one instance runs at once; Flex scales the HTTP functions as one group on it.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Most Connect API calls the events being processed at once may make (instances × queue messages per instance × 2 calls per event); the queue batch, and if need be the instance ceiling, are derived to fit. Set it from your Worldline agreement (docs/architecture.md (Scale)).')
@minValue(2)
param connectCallBudget int = 1920

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })
var topicName = 'connect-events'
var webhookKeyNamePrefix = 'webhook-key-'
var connectSecretName = 'connect-secret-api-key'
var deploymentContainerName = 'app-package'
var quarantineContainerName = 'connect-events-quarantine'
// The queues of the platforms that are on, each read by its queue trigger and written by its ingress: storage creates
// them with their '<name>-poison' queues, and the identity gets queue rights on exactly those. A platform that is off
// has its trigger disabled (AzureWebJobs.<function>.Disabled), so it needs neither queue nor rights.
var processingQueueNames = concat(connectEnabled ? [queueName] : [], empty(platform3Endpoint) ? [] : [platform3QueueName])

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: allTags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: allTags
    storageAccountName: 'st${resourceToken}'
    deploymentContainerName: deploymentContainerName
    quarantineContainerName: quarantineContainerName
    queueNames: processingQueueNames
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    location: location
    tags: allTags
    namespaceName: 'sb-${resourceToken}'
    topicName: topicName
    duplicateDetectionWindow: duplicateDetectionWindow
    subscriberSubscriptions: topicSubscriptions
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: allTags
    keyVaultName: 'kv-${resourceToken}'
    connectSecretName: connectSecretName
    connectSecretApiKey: connectSecretApiKey
    webhookSecretKeys: webhookSecretKeys
    webhookKeyNamePrefix: webhookKeyNamePrefix
  }
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    location: location
    tags: allTags
    identityName: 'id-${resourceToken}'
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  scope: rg
  params: {
    principalId: identity.outputs.IDENTITY_PRINCIPAL_ID
    storageAccountName: storage.outputs.STORAGE_ACCOUNT_NAME
    queueNames: storage.outputs.QUEUE_NAMES
    serviceBusNamespaceName: serviceBus.outputs.SERVICE_BUS_NAMESPACE_NAME
    topicName: serviceBus.outputs.SERVICE_BUS_TOPIC_NAME
    applicationInsightsName: monitoring.outputs.APPLICATIONINSIGHTS_NAME
    keyVaultName: keyVault.outputs.KEY_VAULT_NAME
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  dependsOn: [roles]
  params: {
    location: location
    tags: allTags
    planName: 'plan-${resourceToken}'
    appName: 'func-${resourceToken}'
    identityId: identity.outputs.IDENTITY_ID
    identityClientId: identity.outputs.IDENTITY_CLIENT_ID
    storageAccountName: storage.outputs.STORAGE_ACCOUNT_NAME
    storageBlobEndpoint: storage.outputs.STORAGE_BLOB_ENDPOINT
    deploymentContainerName: storage.outputs.DEPLOYMENT_CONTAINER_NAME
    quarantineContainerName: storage.outputs.QUARANTINE_CONTAINER_NAME
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.SERVICE_BUS_FULLY_QUALIFIED_NAMESPACE
    topicName: serviceBus.outputs.SERVICE_BUS_TOPIC_NAME
    queueName: queueName
    keyVaultUri: keyVault.outputs.KEY_VAULT_URI
    connectSecretUri: keyVault.outputs.CONNECT_SECRET_URI
    webhookKeyNamePrefix: webhookKeyNamePrefix
    applicationInsightsConnectionString: monitoring.outputs.APPLICATIONINSIGHTS_CONNECTION_STRING
    connectEnabled: connectEnabled
    connectEndpoint: connectEndpoint
    connectApiKeyId: connectApiKeyId
    connectMerchantId: connectMerchantId
    autoCapture: autoCapture
    tokenize: tokenize
    tracingSamplingRatio: tracingSamplingRatio
    tracingAzureSdk: tracingAzureSdk
    platform3Endpoint: platform3Endpoint
    platform3QueueName: platform3QueueName
    platform3NotificationKeyId: platform3NotificationKeyId
    platform3AccessTokenSecretName: platform3AccessTokenSecretName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReady: alwaysReady
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    connectCallBudget: connectCallBudget
  }
}

// Alert rules (docs/operations.md (Metrics, alerts and the queries support runs)): only when someone is there to be told.
module alerts 'modules/alerts.bicep' = if (!empty(alertActionGroupId) || !empty(alertEmail)) {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: allTags
    namePrefix: resourceToken
    actionGroupId: alertActionGroupId
    alertEmail: alertEmail
    applicationInsightsName: monitoring.outputs.APPLICATIONINSIGHTS_NAME
    serviceBusNamespaceName: serviceBus.outputs.SERVICE_BUS_NAMESPACE_NAME
    topicName: serviceBus.outputs.SERVICE_BUS_TOPIC_NAME
    queueNames: processingQueueNames
    signatureFailureThreshold: signatureFailureThreshold
    quarantineFailedThreshold: quarantineFailedThreshold
  }
}

output FUNCTION_APP_NAME string = functionApp.outputs.FUNCTION_APP_NAME
output WEBHOOK_URL string = functionApp.outputs.WEBHOOK_URL
output KEY_VAULT_NAME string = keyVault.outputs.KEY_VAULT_NAME
// What the Connect call budget came to (docs/architecture.md (Scale)).
output MAXIMUM_INSTANCE_COUNT int = functionApp.outputs.MAXIMUM_INSTANCE_COUNT
output QUEUE_BATCH_SIZE int = functionApp.outputs.QUEUE_BATCH_SIZE
output QUEUE_NEW_BATCH_THRESHOLD int = functionApp.outputs.QUEUE_NEW_BATCH_THRESHOLD
output CONNECT_CALLS_AT_MOST int = functionApp.outputs.CONNECT_CALLS_AT_MOST
