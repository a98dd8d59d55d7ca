#!/usr/bin/env bash
# The README's test command: installs what the tests need (Azurite from npm, pinned by package-lock.json;
# NuGet packages), builds everything with warnings as errors, lints the Bicep, builds the deployable package, runs
# every test, and runs the demo as a newcomer would (scripts/demo-check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== npm ci (Azurite)"
npm ci --no-audit --no-fund --loglevel=error

echo "== dotnet build"
# NU1603 stays a warning only because the Worker SDK's generated WorkerExtensions project is outside central package
# management (see scripts/package.sh).
dotnet build Events.sln -c Release -warnaserror -warnnotaserror:NU1603

if [ -x scripts/lint-bicep.sh ]; then
  echo "== bicep build + lint"
  scripts/lint-bicep.sh
fi

echo "== deployable package (framework-dependent isolated-worker publish)"
scripts/package.sh --out artifacts/connect-events.zip
# The package tests use this zip instead of building their own.
export CONNECT_EVENTS_PACKAGE=artifacts/connect-events.zip

echo "== dotnet test"
mkdir -p artifacts
status=0
dotnet test Events.sln -c Release --no-build --logger "console;verbosity=normal" "$@" 2>&1 | tee artifacts/test.log || status=$?

# After the tests: they run on the solution's own build (run.sh rebuilds three of its projects), and every test has
# reported whatever the demo does.
echo "== demo check (scripts/demo-check.sh: run.sh and every command its banner prints, then the logs)"
demo=0
bash scripts/demo-check.sh || demo=$?
[ "$demo" -eq 0 ] || echo "demo check: FAILED (above, under == demo check)"
# One closing line over every test project: "N passed, N failed".
awk '/^ *Passed: *[0-9]+$/ {p += $2} /^ *Failed: *[0-9]+$/ {f += $2} END {printf "%d passed, %d failed\n", p, f}' artifacts/test.log
[ "$status" -ne 0 ] && exit "$status"
exit "$demo"
