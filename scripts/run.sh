#!/usr/bin/env bash
# The README's run command: starts Azurite (from npm, pinned by package-lock.json), the Connect simulator and the
# function app in the dev host (tools/ConnectEvents.DevHost: the function classes on /api/..., the queue function through
# the WebJobs queue listener), all on 127.0.0.1, with the embedded local defaults. Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
APP_PORT=${APP_PORT:-7071}
SIM_PORT=${SIM_PORT:-7072}
BLOB_PORT=${BLOB_PORT:-10000}
QUEUE_PORT=${QUEUE_PORT:-10001}
TABLE_PORT=${TABLE_PORT:-10002}
KEY_ID=local-webhook-key
SECRET=local-webhook-secret
MERCHANT=1234
FUNCTION_KEY=local-function-key
MASTER_KEY=local-master-key

[ -f node_modules/azurite/dist/src/azurite.js ] || npm ci --no-audit --no-fund --loglevel=error
echo "== building"
dotnet build Events.sln -c Release -v quiet -nologo -warnaserror -warnnotaserror:NU1603 | tail -n 3

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

mkdir -p artifacts/run
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" > artifacts/run/azurite.log 2>&1 &
pids+=($!)

# curl is not assumed: Node.js (needed for Azurite anyway) does the HTTP calls of this script.
http() { node -e 'fetch(process.argv[1],{method:process.argv[2],body:process.argv[3]||undefined,headers:{"content-type":"application/json"}}).then(r=>process.exit(r.status<500?0:1)).catch(()=>process.exit(1))' "$@"; }
wait_for() { for _ in $(seq 1 150); do http "$1" GET && return 0; sleep 0.2; done; echo "$1 did not come up" >&2; return 1; }

# The dev host creates its queues at start: let Azurite answer first.
wait_for "http://127.0.0.1:$QUEUE_PORT/devstoreaccount1?comp=list"

storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

# The simulator accepts the key pair the function app signs with (Connect__ApiKeyId/SecretApiKey below); it starts
# empty: seed payments with POST /admin/payments (tests/Connect.Simulator/README.md).
# Its one log line per call ("capture for payment …") is shown here prefixed [simulator] and kept in artifacts/run/simulator.log.
dotnet tests/Connect.Simulator/bin/Release/net10.0/Connect.Simulator.dll --urls "http://127.0.0.1:$SIM_PORT" \
  --Simulator:Keys:0:ApiKeyId=local-api-key --Simulator:Keys:0:SecretApiKey=local-api-secret \
  > >(tee artifacts/run/simulator.log | sed -u 's/^/[simulator] /') 2>&1 &
pids+=($!)

AzureWebJobsStorage="$storage" \
Webhooks__SecretKeys__0__KeyId="$KEY_ID" Webhooks__SecretKeys__0__Secret="$SECRET" \
Connect__Endpoint="http://127.0.0.1:$SIM_PORT" Connect__ApiKeyId=local-api-key Connect__SecretApiKey=local-api-secret \
Connect__MerchantId="$MERCHANT" Processing__AutoCapture=true \
Processing__Tokenize__Enabled=true DevHost__FunctionKey="$FUNCTION_KEY" DevHost__MasterKey="$MASTER_KEY" \
AzureFunctionsJobHost__extensions__queues__maxPollingInterval=00:00:00.500 \
AzureFunctionsJobHost__extensions__queues__visibilityTimeout=00:00:05 \
  dotnet tools/ConnectEvents.DevHost/bin/Release/net10.0/ConnectEvents.DevHost.dll --urls "http://127.0.0.1:$APP_PORT" &
pids+=($!)

wait_for "http://127.0.0.1:$SIM_PORT/admin/requests"
wait_for "http://127.0.0.1:$APP_PORT/api/webhooks/connect"
# One authorized card payment waiting for capture, for the sender command below.
http "http://127.0.0.1:$SIM_PORT/admin/payments" POST "{\"merchantId\":\"$MERCHANT\",\"paymentId\":\"pay-demo-1\"}"

cat <<MSG

Connect Events is running (dev host, Azurite + Connect simulator on 127.0.0.1).
  webhook URL:   http://127.0.0.1:$APP_PORT/api/webhooks/connect   (key id $KEY_ID, secret $SECRET)
  simulator:     http://127.0.0.1:$SIM_PORT   (seeded payment pay-demo-1, PENDING_CAPTURE; log: GET /admin/requests)
  sessions:      POST http://127.0.0.1:$APP_PORT/api/sessions?code=$FUNCTION_KEY   {"customerReference":"ref-pay-demo-1"}
  tokens:        GET  http://127.0.0.1:$APP_PORT/api/customers/ref-pay-demo-1/tokens?code=$MASTER_KEY   (admin key)

Send a signed pending_capture for pay-demo-1 (paste into another terminal); below, the app logs
"capture for event …" and the simulator logs "capture for payment pay-demo-1":
  dotnet tools/ConnectEvents.Cli/bin/Release/net10.0/connect-events.dll send --url http://127.0.0.1:$APP_PORT/api/webhooks/connect --key-id $KEY_ID --secret $SECRET --type payment.pending_capture --merchant-id $MERCHANT --resource-id pay-demo-1

Ctrl+C stops everything.
MSG
wait
