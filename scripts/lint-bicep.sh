#!/usr/bin/env bash
# Builds and lints every Bicep file in infra/ with the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64,
# pinned in Directory.Packages.props, found by scripts/bicep-cli.sh), and fails on any warning or
# error: the CLI exits 0 on warnings such as an unknown resource property, so its output is checked too.
set -euo pipefail
cd "$(dirname "$0")/.."

bicep=$(scripts/bicep-cli.sh)
echo "$("$bicep" --version)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
status=0
check() { # label, command...
  local label=$1; shift
  if ! "$@" >"$out/log" 2>&1 || grep -Eq '\b(Warning|Error)\b' "$out/log"; then
    echo "FAIL $label"; sed 's/^/  /' "$out/log"; status=1
  else
    echo "ok   $label"
  fi
}

# One process per step: --pattern takes every .bicep under infra/ (modules included, even ones main.bicep stops using).
check "build infra/**/*.bicep" "$bicep" build --pattern 'infra/**/*.bicep' --outdir "$out"
check "lint  infra/**/*.bicep" "$bicep" lint --pattern 'infra/**/*.bicep'
while IFS= read -r file; do
  check "build-params $file" "$bicep" build-params "$file" --outfile "$out/$(basename "$file").json"
done < <(find infra -name '*.bicepparam' | sort)
[ -s "$out/main.json" ] || { echo "FAIL no ARM template was produced for infra/main.bicep"; status=1; }

exit $status
