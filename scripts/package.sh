#!/usr/bin/env bash
# Builds the deployable package for the Flex Consumption plan (runtime dotnet-isolated 10.0, which provides .NET): the
# framework-dependent `dotnet publish` output of functions/, zipped with everything at the root: host.json,
# functions.metadata, worker.config.json, extensions.json, .azurefunctions/ (the host-side extensions the Worker SDK
# generates, among them the Storage queue trigger) and the app's assemblies.
#
#   scripts/package.sh [--mode plain|r2r] [--out PATH]
#
#   r2r (default)   ReadyToRun (precompiled) code for linux-x64 (Flex Consumption runs Linux x64), still
#                   framework-dependent: less JIT on a cold instance, which Worldline's webhook waits for when the app
#                   scales from zero (the dev host built the same way answers its first request ~25 % sooner), for a
#                   package about twice the size (13.8 vs 6.4 MiB) and a publish about three times as long (19 vs 7 s).
#   plain           portable IL, the plain `dotnet publish -c Release` output.
# Default output: artifacts/connect-events.zip. Prints the publish time and the package size.
#
# NU1603 stays a warning: the Worker SDK restores a WorkerExtensions project it generates under obj/, outside central
# package management, and NuGet resolves a higher version there than its dependencies ask for; nothing in this
# repository can pin it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=r2r
zip_path="$root/artifacts/connect-events.zip"
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --out) zip_path=$(realpath -m "$2"); shift 2 ;;
    *) echo "usage: scripts/package.sh [--mode plain|r2r] [--out PATH]" >&2; exit 2 ;;
  esac
done

case "$mode" in
  plain) props=() ;;
  r2r) props=(-r linux-x64 --self-contained false -p:PublishReadyToRun=true) ;;
  *) echo "unknown --mode '$mode' (plain or r2r)" >&2; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$root/artifacts/package/$mode"
rm -rf "$work"
mkdir -p "$work" "$(dirname "$zip_path")"

echo "== dotnet publish functions ($mode, framework-dependent)"
start=$(date +%s)
dotnet publish functions/ConnectEvents.Functions.csproj -c Release "${props[@]}" \
  -warnaserror -warnnotaserror:NU1603 -o "$work/publish" -v quiet -nologo
echo "publish took $(( $(date +%s) - start )) s"

node scripts/zip-package.mjs "$work/publish" "$zip_path"
