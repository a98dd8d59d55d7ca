#!/usr/bin/env bash
# Prints the path of the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64, pinned in Directory.Packages.props),
# restoring it through infra/tools/BicepCli.csproj first: scripts/lint-bicep.sh and the infra tests
# (tests/ConnectEvents.IntegrationTests/Infra) run this one pinned CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet restore infra/tools/BicepCli.csproj -v quiet -nologo >/dev/null
pkg=$(dotnet msbuild infra/tools/BicepCli.csproj -nologo -getProperty:PkgAzure_Bicep_CommandLine_linux-x64)
bicep="$pkg/tools/bicep"
[ -f "$bicep" ] || { echo "Bicep CLI not found at $bicep" >&2; exit 1; }
# NuGet does not keep the execute bit.
[ -x "$bicep" ] || chmod +x "$bicep"
echo "$bicep"
