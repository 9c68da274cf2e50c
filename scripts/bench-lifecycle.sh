#!/usr/bin/env bash
# Benchmark (d) of issue 11, the sustained order lifecycle, as the README reports it: builds the benchmarks (Release),
# starts the hub's own Azurite and a second, queue-only Azurite for the event sink hub-events (the stand-in for Service
# Bus, which is not in the hub's storage account), both in memory on free ports, runs
#   HubFunctions.Benchmarks --order-lifecycle [ARGS, default --seconds 120 --concurrency 16]
# and stops both. Where the machine allows it (root), the benchmark and both Azurites run under `chrt -r 20`, so other
# load on the machine does not take their CPU. The CPU of both Azurites is in the report.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_tools
install_azurite

# --inline-socket-completions: the benchmark process runs with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (socket
# continuations on the epoll threads instead of the thread pool; README, session s12). Not the product's setting.
args=(); inline=0
for a in "$@"; do
  if [ "$a" = "--inline-socket-completions" ]; then inline=1; else args+=("$a"); fi
done
[ ${#args[@]} -gt 0 ] || args=(--seconds 120 --concurrency 16)
rt=()
if chrt -r 20 true 2>/dev/null; then rt=(chrt -r 20); fi

say "building the benchmarks (Release)"
dotnet build tests/HubFunctions.Benchmarks -c Release -nologo -clp:NoSummary -v:q >/dev/null

logs="$ROOT/.local/bench-lifecycle"
mkdir -p "$logs"
blob=$(free_port); queue=$(free_port); table=$(free_port); events=$(free_port)
"${rt[@]}" "$AZURITE" --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" >"$logs/azurite.log" 2>&1 &
hub_pid=$!
"${rt[@]}" "$(dirname "$AZURITE")/azurite-queue" --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --queuePort "$events" >"$logs/azurite-events.log" 2>&1 &
events_pid=$!
trap 'stop_process "$hub_pid"; stop_process "$events_pid"' EXIT
for port in "$blob" "$queue" "$table" "$events"; do wait_for_port "$port" 30 || die "Azurite did not start (see $logs)"; done

export HUB_TEST_STORAGE HUB_TEST_AZURITE_PID=$hub_pid HUB_BENCH_EVENTS_STORAGE HUB_BENCH_EVENTS_AZURITE_PID=$events_pid
HUB_TEST_STORAGE=$(connection_string "$blob" "$queue" "$table")
HUB_BENCH_EVENTS_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_ACCOUNT_KEY;QueueEndpoint=http://127.0.0.1:$events/devstoreaccount1;"
say "benchmark (d): --order-lifecycle ${args[*]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
env=(); [ "$inline" = 1 ] && env=(env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1)
"${rt[@]}" "${env[@]}" dotnet tests/HubFunctions.Benchmarks/bin/Release/net10.0/HubFunctions.Benchmarks.dll --order-lifecycle "${args[@]}"
