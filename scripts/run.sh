#!/usr/bin/env bash
# Runs HubFunctions locally on a fresh machine: installs Azurite (npm ci), restores and builds,
# creates local settings from local.settings.sample.json if absent, starts Azurite (data kept in
# .local/azurite) and the DevHost on http://localhost:7071, seeds demo data and prints what to try.
# Ctrl-C (or SIGTERM) stops both; nothing is left running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
require_tools
install_azurite

PORT=${HUB_PORT:-7071}
settings="$ROOT/functions/HubFunctions.Functions/local.settings.json"
if [ ! -f "$settings" ]; then
  say "creating functions/HubFunctions.Functions/local.settings.json from local.settings.sample.json"
  cp "$ROOT/local.settings.sample.json" "$settings"
else
  # Settings added to the sample since the copy was made (e.g. a new queue name) are added to it;
  # values already there are kept, and those that differ from the sample's (a default changed since the
  # copy, e.g. Hub:Orders:SweepSchedule in session s12, or a value of your own) are named, not shown.
  node -e '
    const fs = require("fs"); const [sample, local] = process.argv.slice(1).map(f => JSON.parse(fs.readFileSync(f, "utf8")));
    const added = Object.keys(sample.Values).filter(k => !(k in (local.Values ??= {})));
    const differ = Object.keys(sample.Values).filter(k => k in local.Values && JSON.stringify(local.Values[k]) !== JSON.stringify(sample.Values[k]));
    added.forEach(k => { local.Values[k] = sample.Values[k]; });
    if (added.length) { fs.writeFileSync(process.argv[2], JSON.stringify(local, null, 2) + "\n"); console.error("==> added to local.settings.json: " + added.join(", ")); }
    if (differ.length) { console.error("==> local.settings.json keeps its own value of: " + differ.join(", ") + " (local.settings.sample.json has another; delete a line to take the sample'"'"'s on the next run)"); }
  ' "$ROOT/local.settings.sample.json" "$settings"
fi

for p in "$PORT" 10000 10001 10002; do
  port_in_use "$p" && die "port $p is in use (another run of this script, Azurite or a Functions host?); stop it first"
done

say "building"
dotnet build functions/HubFunctions.DevHost -nologo -v:q -clp:NoSummary >&2

mkdir -p "$ROOT/.local/azurite" "$ROOT/.local/logs"
azurite_pid=""; host_pid=""
cleanup() {
  # Stop the children first: writing to a closed terminal or pipe must not cut the cleanup short.
  trap - EXIT INT TERM
  trap '' PIPE
  stop_process "$host_pid"
  stop_process "$azurite_pid"
  say "stopped" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting Azurite (data in .local/azurite, log in .local/logs/azurite.log)"
# Children run in their own sessions: Ctrl-C reaches this script only, which stops them in order
# (SIGTERM; Azurite flushes its data on it).
setsid "$AZURITE" --skipApiVersionCheck --disableTelemetry --silent --location "$ROOT/.local/azurite" \
  --blobPort 10000 --queuePort 10001 --tablePort 10002 >"$ROOT/.local/logs/azurite.log" 2>&1 &
azurite_pid=$!
wait_for_port 10000 30 && wait_for_port 10001 30 && wait_for_port 10002 30 || die "Azurite did not start; see .local/logs/azurite.log"

say "starting the DevHost on http://localhost:$PORT (log in .local/logs/devhost.log)"
setsid dotnet functions/HubFunctions.DevHost/bin/Debug/net10.0/HubFunctions.DevHost.dll \
  --urls "http://localhost:$PORT" --settings "$settings" >"$ROOT/.local/logs/devhost.log" 2>&1 &
host_pid=$!
for ((i = 0; i < 300; i++)); do
  curl -fsS "http://localhost:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$host_pid" 2>/dev/null || { tail -n 40 "$ROOT/.local/logs/devhost.log" >&2; die "the DevHost exited"; }
  sleep 0.2
done
curl -fsS "http://localhost:$PORT/api/health" >/dev/null || die "the DevHost did not answer /api/health"

say "seeding demo data"
node scripts/seed.mjs --base "http://localhost:$PORT" --settings "$settings"

eta=$(TZ=Asia/Shanghai date -d '+3 days' +%Y-%m-%dT10:00:00+08:00)
printf '%%PDF-1.4\n%%%%EOF\n' >"$ROOT/.local/sample-declaration.pdf"
declared=$(TZ=Asia/Shanghai date -d '-10 days' +%Y-%m-%d); year=${declared:0:4}
billed=$(TZ=Asia/Shanghai date -d "$(TZ=Asia/Shanghai date +%Y-%m-01) -1 day" +%Y-%m)
cat <<TXT

HubFunctions is running on http://localhost:$PORT (Azurite on 10000-10002). Try:

  curl http://localhost:$PORT/api/health
  curl http://localhost:$PORT/api/calendar/cn/2026-10-01
  curl 'http://localhost:$PORT/api/calendar/cn/working-days?from=2026-09-28&add=15'
  node scripts/hubcall.mjs --client demo-seller GET /api/clients/me
  node scripts/hubcall.mjs --client demo-seller GET /api/sellers/demo-seller
  node scripts/hubcall.mjs --client demo-seller GET /api/sellers/demo-seller/documents
  node scripts/hubcall.mjs --client reviewer --curl GET /api/clients/me     # prints the signed curl command
  node scripts/hubcall.mjs --client demo-seller POST /api/labels/validate \\
    '{"labels":["(01)09506000134352(10)LOT-7(11)260301(17)280229(21)SN-1"]}'
  node scripts/hubcall.mjs --client hub-hangzhou POST /api/hubs/hangzhou/inspections \\
    '{"receiptId":"RCPT-1","sellerId":"demo-seller","sampled":19,"failures":[{"label":"SN-1","reason":"smudged"}]}'
  node scripts/hubcall.mjs --client demo-seller POST /api/hubs/hangzhou/appointments \\
    '{"eta":"$eta","vehiclePlate":"浙A12345","driverName":"王师傅","driverPhone":"13800138000","weightKg":2500}'
  node scripts/hubcall.mjs --client demo-seller GET '/api/hubs/hangzhou/appointments?date=${eta:0:10}'
  node scripts/hubcall.mjs --client hub-hangzhou POST /api/hubs/hangzhou/gate/arrivals \\
    '{"vehiclePlate":"沪B99999","arrivedAt":"$(TZ=Asia/Shanghai date +%Y-%m-%dT%H:%M:%S+08:00)"}'   # unbooked: refused (APT-5)
  node scripts/hubcall.mjs --client demo-seller --form type=customs-declaration --form issuedOn=$declared \\
    --form documentNumber=3100${year}0123456789 --form sealed=true --form file=@.local/sample-declaration.pdf \\
    POST /api/sellers/demo-seller/documents          # then GET .../documents, review as reviewer, GET it for its link
  node scripts/hubcall.mjs --client reviewer GET /api/sellers/demo-seller/compliance-log
  eval "\$(node scripts/hubcall.mjs --client demo-seller --curl GET '/api/sellers/demo-seller/fee-confirmation?hub=hangzhou') -o fee-confirmation.pdf"   # BIL-8 letter (PDF)
  node scripts/hubcall.mjs --client reviewer GET /api/hubs/dongguan/rate-cards
  node scripts/hubcall.mjs --client reviewer GET /api/billing-runs/RUN-$billed     # the seeded demo-dongguan run (BIL-6)
  node scripts/hubcall.mjs --client reviewer GET '/api/sellers/demo-dongguan/invoices?period=$billed'
  node scripts/hubcall.mjs --client reviewer --accept text/csv GET /api/sellers/demo-dongguan/invoices/INV-${billed/-/}-dongguan-demo-dongguan
  node scripts/hubcall.mjs --client hub-hangzhou POST /api/hubs/hangzhou/usage \\
    '{"records":[{"usageId":"try-1","sellerId":"HGH-000001","kind":"picking","quantity":0.5,"occurredAt":"$(TZ=Asia/Shanghai date +%Y-%m-%dT%H:%M:%S+08:00)"}]}'
  curl http://localhost:$PORT/admin/events        # the local event sink (queue hub-events), peeked
  curl http://localhost:$PORT/admin/functions
  curl -X POST http://localhost:$PORT/admin/functions/CheckReviewSla   # the hourly ADM-7 SLA sweep, now
  curl -X POST http://localhost:$PORT/admin/functions/ComplianceSweep  # the daily CMP-1/2 expiry sweep, now

Logs: .local/logs/devhost.log. Press Ctrl-C to stop.
TXT

wait -n "$host_pid" "$azurite_pid" || true
say "a process stopped unexpectedly; see .local/logs"
exit 1
