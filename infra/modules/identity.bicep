// The function app's user-assigned managed identity. User-assigned (not system-assigned) so its role assignments
// exist before the app first starts: Key Vault references and the deployment container resolve on first boot.

@description('Azure region.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Identity name.')
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

output IDENTITY_ID string = identity.id
output IDENTITY_CLIENT_ID string = identity.properties.clientId
output IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
