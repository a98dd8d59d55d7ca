// Parameters for infra/main.bicep. Secrets are NOT kept here: pass them on the command line
// (-p connectSecretApiKey=... ) or, better, set them in Key Vault after the first deployment (README, "Deploy to Azure").
using 'main.bicep'

// Names the resource group (rg-<environmentName>) and seeds every resource name.
param environmentName = 'connect-events-prod'

// A region where the Flex Consumption plan is offered.
param location = 'westeurope'

param tags = {
  workload: 'connect-events'
}

// Worldline Connect: the pre-production endpoint of the World cluster; production is
// https://api.connect.worldline-solutions.com (see the README's Connect client section for the others).
param connectEndpoint = 'https://api.preprod.connect.worldline-solutions.com'

// The API key id and merchant id from the Configuration Center (not secrets).
param connectApiKeyId = 'REPLACE-WITH-API-KEY-ID'
param connectMerchantId = 'REPLACE-WITH-MERCHANT-ID'

// The processing policy: capture authorized payments; tokenization is off until the merchant's consent flow is in place.
param autoCapture = true
param tokenize = false

// Optional: object id of the operator (az ad signed-in-user show --query id -o tsv) who sets the secrets.
param operatorPrincipalId = ''
param operatorPrincipalType = 'User'

// The topic drops a repeated event id for this long; each subscriber deduplicates anything older by MessageId.
param duplicateDetectionWindow = 'P1D'

// The processing queue (its poison queue is connect-events-poison).
param queueName = 'connect-events'

// Downstream services' subscriptions on the topic; the app reads none of them. For example a ledger that only wants
// payment events:
//   { name: 'ledger', sqlFilter: 'eventType LIKE \'payment.%\'' }
param topicSubscriptions = []

// Alerts (infra/modules/alerts.bicep): give an existing action group's resource id, or an email address for a new
// group; with both empty no alert rules are deployed. Thresholds: signature failures per 15 min, quarantined + Failed
// per hour (0: the first one alerts).
param alertActionGroupId = ''
param alertEmail = ''
param signatureFailureThreshold = 20
param quarantineFailedThreshold = 0

// Scale-out ceiling and instance size: 512 MB is the cheapest per GB-s; raise it if processing needs the memory.
param maximumInstanceCount = 40
param instanceMemoryMB = 512

// Flex scaling (docs/architecture.md (Scale)). alwaysReady 1 keeps one warm instance per queue trigger (a fixed monthly
// cost) instead of letting the first event after a quiet spell wait up to about 2 minutes. The Connect call budget
// bounds the calls of the events in flight: instances × (batchSize + newBatchThreshold) × 2 ≤ connectCallBudget; the
// default, 40 × 24 × 2 = 1,920, keeps host.json's batch of 16. Lower it to what your Worldline agreement allows.
param alwaysReady = 0
param httpPerInstanceConcurrency = 16
param connectCallBudget = 1920
