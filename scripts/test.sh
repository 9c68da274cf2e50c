#!/usr/bin/env bash
# Runs every test on a fresh machine: installs Azurite (npm ci) and restores NuGet packages, starts
# its own Azurite on free ports in memory, runs all test projects, smoke-runs the benchmarks,
# stops Azurite and prints "N passed, N failed". Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_tools
install_azurite

results="$ROOT/.local/test-results"
rm -rf "$results" && mkdir -p "$results"

say "building"
dotnet build HubFunctions.sln -c Release -nologo -clp:NoSummary -v:q >"$results/build.log" 2>&1 || {
  cat "$results/build.log" >&2
  echo "0 passed, 1 failed"
  exit 1
}

blob=$(free_port); queue=$(free_port); table=$(free_port)
while [ "$queue" = "$blob" ] || [ "$table" = "$blob" ] || [ "$table" = "$queue" ]; do queue=$(free_port); table=$(free_port); done
say "starting Azurite in memory on ports $blob/$queue/$table"
"$AZURITE" --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >"$results/azurite.log" 2>&1 &
azurite_pid=$!
trap 'stop_process "$azurite_pid"' EXIT
wait_for_port "$blob" 30 && wait_for_port "$queue" 30 && wait_for_port "$table" 30 || {
  cat "$results/azurite.log" >&2
  die "Azurite did not start"
}

export HUB_TEST_STORAGE
HUB_TEST_STORAGE=$(connection_string "$blob" "$queue" "$table")
export HUB_TEST_AZURITE_PID=$azurite_pid

say "running tests"
status=0
dotnet test HubFunctions.sln -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory "$results" || status=$?

checks_passed=0; checks_failed=0
say "format check (dotnet format --verify-no-changes)"
if dotnet format HubFunctions.sln --verify-no-changes --no-restore; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); status=1; fi

if [ -d tests/HubFunctions.Benchmarks ]; then
  say "benchmark smoke run"
  if dotnet run -c Release --no-build --project tests/HubFunctions.Benchmarks -- --smoke; then checks_passed=$((checks_passed + 1)); else checks_failed=$((checks_failed + 1)); status=1; fi
fi

stop_process "$azurite_pid"
trap - EXIT

passed=0; failed=0; skipped=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
expected_projects=$(grep -l '<IsTestProject>true</IsTestProject>' tests/*/*.csproj | wc -l)
if [ ${#trx_files[@]} -lt "$expected_projects" ]; then
  echo "only ${#trx_files[@]} of $expected_projects test projects wrote results" >&2
  failed=$((failed + 1)); status=1
fi
# The format check and the benchmark smoke run count as one test each.
passed=$((passed + checks_passed)); failed=$((failed + checks_failed))
[ "$failed" -gt 0 ] && status=1

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
