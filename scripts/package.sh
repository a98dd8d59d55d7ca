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

python3 - "$work/publish" "$zip_path" "$root" <<'PY'
import json, os, stat, sys, zipfile

publish, zip_path, root = sys.argv[1:4]
host = json.load(open(os.path.join(root, "host.json")))
exe = host["customHandler"]["description"]["defaultExecutablePath"]
exe_path = os.path.join(publish, exe)
if not os.path.isfile(exe_path):
    sys.exit(f"host.json names the executable '{exe}' but the publish output has no such file")

# Debug symbols, XML docs and build leftovers stay out of the package.
skip_suffixes = (".pdb", ".dbg", ".xml", ".staticwebassets.endpoints.json")
functions = sorted(d for d in os.listdir(os.path.join(root, "functions"))
                   if os.path.isfile(os.path.join(root, "functions", d, "function.json")))
entries = []
for dirpath, _, files in os.walk(publish):
    for name in files:
        full = os.path.join(dirpath, name)
        rel = os.path.relpath(full, publish).replace(os.sep, "/")
        if not rel.endswith(skip_suffixes):
            entries.append((rel, full))
names = {rel for rel, _ in entries}
missing = [n for n in ["host.json", exe] + [f"{f}/function.json" for f in functions] if n not in names]
if missing:
    sys.exit(f"the publish output lacks {missing}")

tmp = zip_path + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for rel, full in sorted(entries):
        info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))  # fixed time: the same input gives the same zip
        info.compress_type = zipfile.ZIP_DEFLATED
        mode = 0o755 if rel == exe or os.stat(full).st_mode & stat.S_IXUSR else 0o644
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.create_system = 3  # Unix, so the mode bits above are honoured on extraction
        with open(full, "rb") as f:
            z.writestr(info, f.read())
os.replace(tmp, zip_path)
print(f"package {zip_path}: {len(entries)} files, {os.path.getsize(zip_path) / 1048576:.1f} MiB "
      f"(executable '{exe}', functions: {', '.join(functions)})")
PY
