#!/usr/bin/env bash
# What a newcomer does with the README, as a check: starts scripts/run.sh on free loopback ports (its logs in
# artifacts/demo-check/, so a run of one's own is left alone), waits for its banner, runs every command the banner
# printed (artifacts/demo-check/commands.txt, which run.sh writes as it prints them) one after the other, and after each
# waits until the app has processed what it sent: every queue empty (Azurite counts messages waiting to come back too)
# and no function invocation under way. Then it checks what the banner promises (one capture of pay-demo-1 at the
# simulator, a token of customer-1, a session that offers it, the event's record, one v3 inquiry), stops run.sh as
# Ctrl+C would and checks that no process of it is left, and reads the app and simulator logs and the commands' output.
#
# It fails, printing the lines, on a warn:, fail: or crit: line, a failed invocation ("Executed '…' (Failed"), a stack
# trace or an exception dump: duplicates are ordinary at-least-once traffic and a clean demo logs them at Information.
# A command that exits non-zero (an HTTP answer >= 400 for the curl commands) fails it too. It gives up after 180 s.
#
# curl is not assumed: the banner's curl commands run with curl as a shell function that does the same request in Node
# (scripts/demo-check.mjs curl).
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
LIMIT=180
out=artifacts/demo-check
mjs=scripts/demo-check.mjs
begun=$SECONDS
problems=()
run=

say() { echo "== demo check: $*"; }
problem() { problems+=("$1"); echo "demo check: $1" >&2; }
die() { echo "demo check: $*" >&2; exit 1; }
within_limit() { (( SECONDS - begun < LIMIT )) || die "gave up after $LIMIT s $1 (run.sh's output: $out/run.out, the app log: $out/app.log)"; }

# Ctrl+C reaches run.sh's trap, which stops its children; TERM takes the same path. Its own process group (set -m below)
# is what is left to look at afterwards: any process still in it is a stray one.
group_left() { kill -0 -- "-$1" 2> /dev/null; }
stop_run() {
  [ -n "$run" ] || return 0
  local pid=$run
  run=
  kill -TERM "$pid" 2> /dev/null || problem "run.sh stopped on its own during the demo (its output: $out/run.out)"
  for _ in $(seq 1 300); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2> /dev/null && problem "run.sh did not stop within 30 s of TERM (Ctrl+C's path)"
  for _ in $(seq 1 50); do group_left "$pid" || break; sleep 0.1; done
  if group_left "$pid"; then
    problem "run.sh left processes behind after it stopped:"
    if command -v ps > /dev/null; then ps -eo pgid=,pid=,args= | awk -v g="$pid" '$1 == g { $1 = ""; print "   " $0 }' >&2; fi
    kill -KILL -- "-$pid" 2> /dev/null
  fi
  wait "$pid" 2> /dev/null
  return 0
}
trap stop_run EXIT
trap 'exit 130' INT TERM

rm -rf "$out"
mkdir -p "$out"
ports=$(node "$mjs" ports 5) || die "no free loopback ports"
read -r APP_PORT SIM_PORT BLOB_PORT QUEUE_PORT TABLE_PORT <<< "$(echo $ports)"
export APP_PORT SIM_PORT BLOB_PORT QUEUE_PORT TABLE_PORT RUN_LOGS=$out
say "scripts/run.sh on ports $APP_PORT (app), $SIM_PORT (simulator), $BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (storage); output in $out/run.out"
: > "$out/run.out"
set -m
bash scripts/run.sh < /dev/null > "$out/run.out" 2>&1 &
run=$!
set +m

until grep -q "is running" "$out/run.out"; do
  if ! kill -0 "$run" 2> /dev/null; then
    wait "$run"
    code=$?
    run=
    echo "demo check: run.sh stopped before its banner (exit $code); its last lines:" >&2
    tail -n 30 "$out/run.out" >&2
    exit 1
  fi
  within_limit "waiting for run.sh's banner"
  sleep 0.3
done
say "run.sh is running after $((SECONDS - begun)) s"

queue_report() { tr '\n' ' ' < "$out/queues.txt" 2> /dev/null; }
# Settled: every queue but the poison ones empty and as many invocations ended as began, seen twice in a row.
settled() {
  node "$mjs" queues "$out/cli.settings.json" > "$out/queues.txt" || return 1
  awk '$1 !~ /-poison$/ && $2 != 0 { busy = 1 } END { exit busy }' "$out/queues.txt" || return 1
  [ "$(grep -c "^ *Executing '" "$out/app.log")" = "$(grep -c "^ *Executed '" "$out/app.log")" ]
}
wait_settled() {
  local calm=0
  while (( calm < 2 )); do
    if settled; then calm=$((calm + 1)); else calm=0; fi
    within_limit "waiting for the app to process what \`$1\` sent (queues: $(queue_report))"
    sleep 0.25
  done
}

curl() { node "$DEMO_CHECK_MJS" curl "$@"; }
export -f curl
export DEMO_CHECK_MJS=$mjs DEMO_HTTP_LOG=$out/http.jsonl
: > "$DEMO_HTTP_LOG"
mapfile -t commands < "$out/commands.txt"
(( ${#commands[@]} > 0 )) || die "run.sh's banner listed no commands ($out/commands.txt is empty)"
transcript=$out/transcript.txt
for command in "${commands[@]}"; do
  echo "\$ $command" | tee -a "$transcript"
  timeout -k 5 "$((LIMIT - (SECONDS - begun)))" bash -c "$command" < /dev/null > "$out/command.out" 2>&1
  code=$?
  sed 's/^/    /' "$out/command.out" | tee -a "$transcript"
  (( code == 124 )) && die "gave up after $LIMIT s running \`$command\`"
  (( code == 0 )) || problem "exit $code: $command"
  wait_settled "$command"
done
say "the banner's ${#commands[@]} commands ran and the app settled after $((SECONDS - begun)) s"
while read -r queue count; do
  [[ $queue == *-poison && $count != 0 ]] && problem "queue $queue holds $count message(s): events that failed every delivery"
done < "$out/queues.txt"

node "$mjs" expect "http://127.0.0.1:$SIM_PORT" "$DEMO_HTTP_LOG" "$transcript" "$out/app.log" || problem "the demo did not do what its banner says (missing: above)"

stop_run

# A stack frame is "at Type.Method(…)"; an exception dump starts with a dotted type name ending in Exception.
scan=$(grep -nHE \
  -e '^(warn|fail|crit): ' \
  -e "Executed '[^']+' \(Failed" \
  -e '^[[:space:]]+at [^[:space:]]+\(' \
  -e '^[[:space:]]*--- End of .*stack trace' \
  -e '^[[:space:]]*(---> )?([[:alnum:]_`]+\.)+[[:alnum:]_`]*Exception([:[:space:]]|$)' \
  -e 'Unhandled exception' \
  "$out/app.log" "$out/simulator.log" "$transcript")
if [ -n "$scan" ]; then
  found=$(wc -l <<< "$scan")
  echo "demo check: $found line(s) a clean demo does not log:" >&2
  head -n 60 <<< "$scan" | cut -c1-300 | sed 's/^/   /' >&2
  (( found > 60 )) && echo "   … and $((found - 60)) more (grep the files above)" >&2
  problem "$found warning, error, failed-invocation or stack-trace line(s) in the logs"
fi

if (( ${#problems[@]} > 0 )); then
  echo "demo check: FAILED after $((SECONDS - begun)) s:" >&2
  printf '   %s\n' "${problems[@]}" >&2
  exit 1
fi
say "passed in $((SECONDS - begun)) s"
