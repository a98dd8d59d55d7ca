// Key Vault in RBAC mode with purge protection, holding the Connect secret API key (read by the app through a Key
// Vault reference in Connect__SecretApiKey) and the webhook secret keys (listed and read by the app's Key Vault
// key store, so a new key works without a restart). Secret values come from secure parameters and are only
// written when given, so a re-deployment never overwrites keys rotated by hand.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Vault name (3-24 letters, digits and dashes).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Name of the secret holding the Connect secret API key.')
param connectSecretName string

@secure()
@description('The Connect secret API key; empty leaves the secret as it is (set it with az keyvault secret set).')
param connectSecretApiKey string = ''

@secure()
@description('Webhook secret keys as { "<keyId>": "<secret>" }; key ids of lower-case letters, digits and dashes. Empty writes none.')
param webhookSecretKeys object = {}

@description('Prefix of webhook key secrets (Webhooks__KeyVault__SecretPrefix).')
param webhookKeyNamePrefix string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource connectSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(connectSecretApiKey)) {
  parent: vault
  name: connectSecretName
  properties: {
    value: connectSecretApiKey
    contentType: 'Worldline Connect secret API key'
  }
}

// The app looks a key id up under the prefix plus the id itself only when the id is 1-100 lower-case letters, digits and
// dashes not starting with 'x-' (KeyVaultSecretKeyStore.SecretNameFor); any other id is hex-encoded there, which Bicep
// cannot do, so such ids stop the deployment here instead of creating a secret the app would never find.
var keyIdChars = 'abcdefghijklmnopqrstuvwxyz0123456789-'

resource webhookSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for key in items(webhookSecretKeys): {
  parent: vault
  name: length(key.key) > 0 && length(key.key) <= 100 && !startsWith(key.key, 'x-') && empty(filter(map(range(0, length(key.key)), i => substring(key.key, i, 1)), c => !contains(keyIdChars, c)))
    ? '${webhookKeyNamePrefix}${key.key}'
    : fail('Webhook key id \'${key.key}\' must be 1-100 lower-case letters, digits and dashes, not starting with x- (deploy other ids to Key Vault by hand under the name KeyVaultSecretKeyStore.SecretNameFor gives)')
  properties: {
    value: key.value
    contentType: 'Worldline Connect webhook secret key'
  }
}]

output KEY_VAULT_NAME string = vault.name
output KEY_VAULT_URI string = vault.properties.vaultUri
output CONNECT_SECRET_URI string = '${vault.properties.vaultUri}secrets/${connectSecretName}'
