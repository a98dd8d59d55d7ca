#!/usr/bin/env bash
# The README's run command: starts Azurite (from npm, pinned by package-lock.json), the Connect simulator and the
# function app in the dev host (tools/ConnectEvents.DevHost: the function classes on /api/..., the queue function through
# the WebJobs queue listener), all on 127.0.0.1, with the embedded local defaults. Ctrl+C stops everything.
#
# Before it starts anything it checks that every port it needs is free, and stops (exit 1) naming the port and the
# variable to change: APP_PORT (7071), SIM_PORT (7072), BLOB_PORT/QUEUE_PORT/TABLE_PORT (10000-10002). Each step says
# what it does; the build shows a line per project. Azurite must answer on all three ports before the app starts, and
# if a process dies while starting, the script stops with the last lines of its log and a non-zero exit.
# RUN_LOGS (artifacts/run) is the folder of the logs, the CLI's settings file and commands.txt (the banner's commands,
# one a line, which scripts/demo-check.sh runs): a second run elsewhere leaves this one's files alone.
# RUN_SKIP_BUILD=1 starts what is already built instead of building it first (scripts/test.sh, which has just built).
set -euo pipefail
cd "$(dirname "$0")/.."

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
CUSTOMER=customer-1
LOGS=${RUN_LOGS:-artifacts/run}

say() { echo "== $*"; }
fail() { echo "run.sh: $*" >&2; exit 1; }

command -v node > /dev/null || fail "Node.js is needed (it runs Azurite): install Node.js 20 or later"
command -v dotnet > /dev/null || fail "the .NET SDK is needed: see global.json for the version"

# Ports first: nothing has started yet, so a taken port costs the user no build and leaves nothing behind.
# Node does the check (curl or nc are not assumed): listening on 127.0.0.1:port fails with EADDRINUSE when taken.
port_free() { node -e 'const s=require("net").createServer();s.once("error",e=>process.exit(e.code==="EADDRINUSE"||e.code==="EACCES"?1:2));s.listen(+process.argv[1],"127.0.0.1",()=>s.close(()=>process.exit(0)))' "$1"; }
declare -A seen=()
for var in APP_PORT SIM_PORT BLOB_PORT QUEUE_PORT TABLE_PORT; do
  port=${!var}
  [[ $port =~ ^[0-9]+$ ]] && (( port > 0 && port < 65536 )) || fail "$var=$port is not a port number"
  [[ -z ${seen[$port]:-} ]] || fail "$var and ${seen[$port]} are both $port: set $var to another port"
  seen[$port]=$var
  port_free "$port" || fail "port $port is taken: set $var=<free port> (e.g. $var=$((port + 100)) scripts/run.sh), or stop what listens there"
done

# A long step says every 15 s that it is still going, so no minute passes in silence (npm ci prints nothing until done).
# Its sleep is a process of its own: killed with the heartbeat, so it does not outlive the script by up to 15 s.
heartbeat() {
  local start=$SECONDS
  trap 'kill ${!:-} 2>/dev/null; exit 0' TERM
  while sleep 15 & wait $!; do echo "   ... $1 still running ($((SECONDS - start)) s)"; done
}
with_heartbeat() {
  local what=$1 rc=0; shift
  heartbeat "$what" &
  local beat=$!
  "$@" || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  return "$rc"
}

if [ ! -f node_modules/azurite/dist/src/azurite.js ]; then
  say "installing Azurite (npm ci, pinned by package-lock.json; a few minutes the first time)"
  with_heartbeat "npm ci" npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (above)"
fi

# Only what runs here (the dev host, the simulator, the connect-events CLI the banner shows), a line per project as each is built.
# NU1603 (a dependency resolved to a higher patch than asked, in the Functions worker's generated extensions project)
# is allowed by the build and left out here, so the run shows no warning a newcomer cannot act on.
build() {
  dotnet build "$1" -c Release -v minimal -nologo -warnaserror -warnnotaserror:NU1603 2>&1 \
    | sed -u -e '/warning NU1603/d' -e '/Warning(s)$/d' -e '/Error(s)$/d' -e '/^ *$/d' -e 's/^/   /'
}
if [ "${RUN_SKIP_BUILD:-}" = 1 ]; then
  # scripts/test.sh has just built the solution and runs the demo beside the tests: a build now would rewrite the
  # assemblies under the running tests.
  for dll in tools/ConnectEvents.DevHost/bin/Release/net10.0/ConnectEvents.DevHost.dll tests/Connect.Simulator/bin/Release/net10.0/Connect.Simulator.dll \
    tools/ConnectEvents.Cli/bin/Release/net10.0/connect-events.dll; do
    [ -f "$dll" ] || fail "RUN_SKIP_BUILD=1 but $dll is missing: build first, or unset RUN_SKIP_BUILD"
  done
  say "not building (RUN_SKIP_BUILD=1: the caller built the solution)"
else
  for project in tools/ConnectEvents.DevHost tests/Connect.Simulator tools/ConnectEvents.Cli; do
    say "building $project"
    with_heartbeat "the build of $project" build "$project" || fail "the build of $project failed (above)"
  done
fi

pids=()
names=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$LOGS"
started() { pids+=("$1"); names+=("$2"); }

# Stops the script when a started process is gone, with the end of its log.
check_alive() {
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      local code=0
      wait "${pids[$i]}" 2>/dev/null || code=$?
      echo "run.sh: ${names[$i]} exited during start-up (exit $code); the end of $LOGS/${names[$i]}.log:" >&2
      tail -n 20 "$LOGS/${names[$i]}.log" >&2 || true
      exit 1
    fi
  done
}

# curl is not assumed: Node.js (needed for Azurite anyway) does the HTTP calls of this script.
http() { node -e 'fetch(process.argv[1],{method:process.argv[2],body:process.argv[3]||undefined,headers:{"content-type":"application/json"}}).then(r=>process.exit(r.status<500?0:1)).catch(()=>process.exit(1))' "$@"; }
wait_for() {
  for _ in $(seq 1 300); do
    http "$1" GET && return 0
    check_alive
    sleep 0.2
  done
  fail "$2 did not answer at $1 within a minute (logs in $LOGS/)"
}

say "starting Azurite (blob $BLOB_PORT, queue $QUEUE_PORT, table $TABLE_PORT; log $LOGS/azurite.log)"
node node_modules/azurite/dist/src/azurite.js --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobHost 127.0.0.1 --blobPort "$BLOB_PORT" --queueHost 127.0.0.1 --queuePort "$QUEUE_PORT" \
  --tableHost 127.0.0.1 --tablePort "$TABLE_PORT" > "$LOGS/azurite.log" 2>&1 &
started $! azurite
# The app creates its queues and tables at start: all three services answer first, so it never meets a refused connection.
wait_for "http://127.0.0.1:$BLOB_PORT/devstoreaccount1?comp=list" "Azurite's blob service"
wait_for "http://127.0.0.1:$QUEUE_PORT/devstoreaccount1?comp=list" "Azurite's queue service"
wait_for "http://127.0.0.1:$TABLE_PORT/devstoreaccount1/Tables" "Azurite's table service"

storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"

# The simulator accepts the key pair the function app signs with (Connect__ApiKeyId/SecretApiKey below); it starts
# empty: payments are seeded below with POST /admin/payments (tests/Connect.Simulator/README.md).
# Its one log line per call ("capture for payment …") is shown here prefixed [simulator] and kept in its log.
say "starting the Connect simulator on 127.0.0.1:$SIM_PORT (log $LOGS/simulator.log)"
dotnet tests/Connect.Simulator/bin/Release/net10.0/Connect.Simulator.dll --urls "http://127.0.0.1:$SIM_PORT" \
  --Simulator:Keys:0:ApiKeyId=local-api-key --Simulator:Keys:0:SecretApiKey=local-api-secret \
  > >(tee "$LOGS/simulator.log" | sed -u 's/^/[simulator] /') 2>&1 &
started $! simulator

# The environment overrides local.settings.json, which the dev host also reads (functions/ and ./): these are the demo's values.
say "starting the function app (dev host) on 127.0.0.1:$APP_PORT (log $LOGS/app.log)"
AzureWebJobsStorage="$storage" \
Webhooks__SecretKeys__0__KeyId="$KEY_ID" Webhooks__SecretKeys__0__Secret="$SECRET" \
Connect__Endpoint="http://127.0.0.1:$SIM_PORT" Connect__ApiKeyId=local-api-key Connect__SecretApiKey=local-api-secret \
Connect__MerchantId="$MERCHANT" Processing__AutoCapture=true \
Processing__Tokenize__Enabled=true DevHost__FunctionKey="$FUNCTION_KEY" DevHost__MasterKey="$MASTER_KEY" \
AzureFunctionsJobHost__extensions__queues__maxPollingInterval=00:00:00.500 \
AzureFunctionsJobHost__extensions__queues__visibilityTimeout=00:00:05 \
Platform3__Endpoint="http://127.0.0.1:$SIM_PORT/" Platform3__AccessToken=sim-v3-access-token Platform3__NotificationKeyId="$KEY_ID" \
DevHost__Metrics=console DevHost__MetricsInterval=00:01:00 \
  dotnet tools/ConnectEvents.DevHost/bin/Release/net10.0/ConnectEvents.DevHost.dll --urls "http://127.0.0.1:$APP_PORT" \
  > >(tee "$LOGS/app.log") 2>&1 &
started $! app

wait_for "http://127.0.0.1:$SIM_PORT/admin/requests" "the simulator"
wait_for "http://127.0.0.1:$APP_PORT/api/webhooks/connect" "the function app"

# Two card payments of customer-1 (the merchant reference, where the app reads whose token it is): pay-demo-1 authorized
# and waiting for capture, pay-demo-2 already captured, so its payment.captured event stores a token.
say "seeding the simulator: pay-demo-1 (PENDING_CAPTURE) and pay-demo-2 (CAPTURED), customer $CUSTOMER"
http "http://127.0.0.1:$SIM_PORT/admin/payments" POST "{\"merchantId\":\"$MERCHANT\",\"paymentId\":\"pay-demo-1\",\"merchantReference\":\"$CUSTOMER\"}" \
  || fail "the simulator refused the demo payment"
http "http://127.0.0.1:$SIM_PORT/admin/payments" POST "{\"merchantId\":\"$MERCHANT\",\"paymentId\":\"pay-demo-2\",\"status\":\"CAPTURED\",\"merchantReference\":\"$CUSTOMER\"}" \
  || fail "the simulator refused the demo payment"

# The v3 platform is on too (its Inquiry API is the same simulator's /v3): one payment whose inquiry answers success.
http "http://127.0.0.1:$SIM_PORT/admin/v3/payments" POST "{\"merchantId\":\"$MERCHANT\",\"reference\":\"order-demo-1\",\"resultCode\":\"000.000.000\"}" \
  || fail "the simulator refused the demo v3 payment"

# The operations CLI reads the same settings as the app: a settings file with this run's storage.
printf '{"Values":{"AzureWebJobsStorage":"%s"}}\n' "$storage" > "$LOGS/cli.settings.json"

app="http://127.0.0.1:$APP_PORT"
cli="dotnet tools/ConnectEvents.Cli/bin/Release/net10.0/connect-events.dll"
send="$cli send --url $app/api/webhooks/connect --key-id $KEY_ID --secret $SECRET --merchant-id $MERCHANT"
# Every command the banner shows is printed by paste_line, which also writes it to $LOGS/commands.txt, one a line in the
# banner's order: scripts/demo-check.sh runs exactly those, so what the check proves and what a newcomer pastes are one
# list. The banner is composed first, so the file is complete before "is running" appears.
: > "$LOGS/commands.txt"
paste_line() { printf '%s\n' "$1" >> "$LOGS/commands.txt"; printf '      %s\n' "$1"; }
banner=$(
  cat <<MSG

Connect Events is running (dev host, Azurite + Connect simulator on 127.0.0.1; logs in $LOGS/).
  webhook URL:   $app/api/webhooks/connect   (key id $KEY_ID, secret $SECRET)
  simulator:     http://127.0.0.1:$SIM_PORT   (request log: GET /admin/requests)

Paste into another terminal:
 1. Capture: a signed pending_capture for pay-demo-1, sent twice; below, the app logs "capture for event …", the
    simulator "capture for payment pay-demo-1", and the second delivery "Event evt-demo-1 skipped: AlreadyCompleted":
MSG
  paste_line "$send --type payment.pending_capture --resource-id pay-demo-1 --event-id evt-demo-1 --count 2"
  echo " 2. Tokenization: payment.captured for pay-demo-2 stores its card as a token of $CUSTOMER (\"tokenize for event …\"):"
  paste_line "$send --type payment.captured --resource-id pay-demo-2"
  echo "    then see the token (admin key) and a Client API session that offers it:"
  paste_line "curl -s $app/api/customers/$CUSTOMER/tokens?code=$MASTER_KEY"
  paste_line "curl -s -X POST \"$app/api/sessions?code=$FUNCTION_KEY\" -d '{\"customerReference\":\"$CUSTOMER\"}'"
  echo " 3. What happened to an event or a payment, and what needs an operator (same storage as the app):"
  paste_line "$cli status evt-demo-1 --settings $LOGS/cli.settings.json"
  paste_line "$cli list --failed --settings $LOGS/cli.settings.json"
  echo " 4. The v3 platform: three notifications to a minted URL, verified by one inquiry (\"v3 payment … verified by inquiry\"):"
  paste_line "$cli send-v3 --url $app/api/notifications/v3 --key-id $KEY_ID --secret $SECRET --merchant-id $MERCHANT --reference order-demo-1 --count 3"
  cat <<MSG

The app logs its metrics (ConnectEvents.Metrics) once a minute.

Ctrl+C stops everything.
MSG
)
printf '%s\n' "$banner"
# Past start-up: if any process stops, stop the rest and pass on its exit code.
set +e
wait -n "${pids[@]}"
code=$?
echo "run.sh: a process stopped (exit $code); stopping the others" >&2
exit "$code"
