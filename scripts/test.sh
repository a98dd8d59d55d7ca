#!/usr/bin/env bash
# The README's test command: installs what the tests need (Azurite from npm, pinned by package-lock.json;
# NuGet packages), builds everything with warnings as errors, lints the Bicep, builds the deployable package, runs
# every test, and runs the demo as a newcomer would (scripts/demo-check.sh). Prints each phase's time.
#
#   bash scripts/test.sh                 everything (what CI runs)
#   bash scripts/test.sh --unit          the build and the unit tests only
#   bash scripts/test.sh --area NAME     the build and the tests of one area: a test folder such as Platform3,
#                                        Processing, Idempotence or Suites, in every test project
#   anything after -- goes to dotnet test (e.g. -- --filter "FullyQualifiedName~Replay")
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

mode=all
area=
while [ $# -gt 0 ]; do
  case "$1" in
    --unit) mode=unit; shift ;;
    --area) [ $# -ge 2 ] || { echo "usage: scripts/test.sh [--unit | --area NAME] [-- dotnet test options]" >&2; exit 2; }
            mode=area; area=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done

phases=()
started=$SECONDS
phase_start=$SECONDS
phase() { # closes the running phase (if any) and opens the next one
  [ -n "${current:-}" ] && phases+=("$(printf '%4d s  %s' $((SECONDS - phase_start)) "$current")")
  current=${1:-}
  phase_start=$SECONDS
  [ -n "$current" ] && echo "== $current"
  return 0
}
summary() {
  phase
  echo "== phases"
  printf '%s\n' "${phases[@]}"
  printf '%4d s  in all\n' $((SECONDS - started))
}

mkdir -p artifacts
npm_pid=
if [ "$mode" = all ] || [ "$mode" = area ]; then
  # Azurite's install waits on the network and the disk, the build on the CPU: they run side by side.
  phase "dotnet build, and npm ci (Azurite) beside it"
  npm ci --no-audit --no-fund --loglevel=error > artifacts/npm-ci.log 2>&1 &
  npm_pid=$!
else
  phase "dotnet build"
fi

# NU1603 stays a warning only because the Worker SDK's generated WorkerExtensions project is outside central package
# management (see scripts/package.sh).
dotnet build Events.sln -c Release -warnaserror -warnnotaserror:NU1603 -v minimal -nologo
if [ -n "$npm_pid" ] && ! wait "$npm_pid"; then
  cat artifacts/npm-ci.log >&2
  echo "npm ci failed (above)" >&2
  exit 1
fi

if [ "$mode" = unit ]; then
  phase "unit tests"
  status=0
  dotnet test tests/ConnectEvents.UnitTests -c Release --no-build "$@" || status=$?
  summary
  exit "$status"
fi

if [ "$mode" = area ]; then
  phase "tests of $area"
  status=0
  # Test namespaces mirror the folders: ConnectEvents.UnitTests.<area>, ConnectEvents.IntegrationTests.<area>.
  dotnet test Events.sln -c Release --no-build --filter "FullyQualifiedName~.$area." "$@" || status=$?
  summary
  exit "$status"
fi

phase "deployable package (framework-dependent ReadyToRun isolated-worker publish)"
scripts/package.sh --out artifacts/connect-events.zip
# The package tests use this zip instead of building their own.
export CONNECT_EVENTS_PACKAGE=artifacts/connect-events.zip

# The Bicep lint and the demo (run.sh as a newcomer runs it, scripts/demo-check.sh) need nothing from the tests and
# mostly wait (on the Bicep CLI's start, on the demo's processes): they run beside the tests, each into its own log,
# shown after. The demo starts what the build above made (RUN_SKIP_BUILD=1): a build beside running tests would
# rewrite their assemblies.
timed() { # log, command...: runs the command into the log, then appends its exit code and seconds to log.rc
  local log=$1 begun=$SECONDS code=0; shift
  "$@" > "$log" 2>&1 || code=$?
  echo "$code $((SECONDS - begun))" > "$log.rc"
}
rm -f artifacts/bicep.log.rc artifacts/demo-check.log.rc
timed artifacts/bicep.log scripts/lint-bicep.sh &
bicep_pid=$!
(export RUN_SKIP_BUILD=1; timed artifacts/demo-check.log bash scripts/demo-check.sh) &
demo_pid=$!

phase "dotnet test (test classes in parallel, each on its own Azurite), with the Bicep lint and the demo check beside it"
status=0
dotnet test Events.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee artifacts/test.log || status=$?

phase "waiting for the Bicep lint and the demo check"
wait "$bicep_pid" "$demo_pid" || true
side() { # label, log: prints the log and its time; returns its exit code
  local code=1 took=?
  [ -f "$2.rc" ] && read -r code took < "$2.rc"
  echo "== $1 ($took s beside the tests, exit $code; log $2)"
  cat "$2"
  phases+=("$(printf '%4s s  %s (beside the tests)' "$took" "$1")")
  return "$code"
}
bicep=0
side "bicep build + lint" artifacts/bicep.log || bicep=$?
demo=0
side "demo check (scripts/demo-check.sh)" artifacts/demo-check.log || demo=$?
summary
# One closing line over every test project: "N passed, N failed".
awk '/^ *Passed: *[0-9]+$/ {p += $2} /^ *Failed: *[0-9]+$/ {f += $2} END {printf "%d passed, %d failed\n", p, f}' artifacts/test.log
[ "$status" -ne 0 ] && exit "$status"
[ "$bicep" -ne 0 ] && exit "$bicep"
exit "$demo"
