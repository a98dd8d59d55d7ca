#!/usr/bin/env bash
# Builds the deployable package for the Flex Consumption plan: publishes the custom handler for linux-x64
# (self-contained) and zips what the Functions host needs at the root: host.json, one folder per function with its
# function.json, appsettings.json and the executable named in host.json (customHandler.description.defaultExecutablePath)
# with its execute bit.
#
#   scripts/package.sh [--mode aot|r2r|jit] [--out PATH]
#
#   r2r (default) self-contained with ReadyToRun (precompiled) code for our assemblies and their packages.
#   jit           self-contained, plain IL (fastest to build, slowest to start).
#   aot           Native AOT, for measurement only: Azure.Data.Tables (processing) is not trim/AOT safe, so its
#                 warnings are shown, not fatal, and the result is NOT for deployment.
# Default output: artifacts/connect-events.zip. Prints the publish time and the package size.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

mode=r2r
zip_path="$root/artifacts/connect-events.zip"
while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=$2; shift 2 ;;
    --out) zip_path=$(realpath -m "$2"); shift 2 ;;
    *) echo "usage: scripts/package.sh [--mode aot|r2r|jit] [--out PATH]" >&2; exit 2 ;;
  esac
done

case "$mode" in
  r2r) props=(-p:PublishReadyToRun=true -warnaserror) ;;
  jit) props=(-p:PublishReadyToRun=false -warnaserror) ;;
  aot) props=(-p:PublishAot=true -p:StripSymbols=true -p:TreatWarningsAsErrors=false)
       echo "NOTE: --mode aot is for measurement only; trim/AOT warnings below mean parts of the app may fail at run time." ;;
  *) echo "unknown --mode '$mode' (aot, r2r or jit)" >&2; exit 2 ;;
esac

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$root/artifacts/package/$mode"
rm -rf "$work"
mkdir -p "$work" "$(dirname "$zip_path")"

echo "== dotnet publish functions ($mode, linux-x64, self-contained)"
start=$(date +%s)
dotnet publish functions/ConnectEvents.Functions.csproj -c Release -r linux-x64 --self-contained \
  "${props[@]}" -o "$work/publish" -v quiet -nologo
echo "publish took $(( $(date +%s) - start )) s"

node scripts/zip-package.mjs "$work/publish" "$zip_path" "$root"
