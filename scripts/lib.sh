# Shared by scripts/run.sh and scripts/test.sh. Source it; it changes nothing by itself.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AZURITE="$ROOT/infra/local/node_modules/.bin/azurite"
AZURITE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# dotnet SDK 10 and Node 20+ must be on the machine; everything else is installed here.
require_tools() {
  command -v dotnet >/dev/null || die "the .NET SDK 10 is needed (dotnet not found)"
  command -v node >/dev/null || die "Node.js 20+ is needed for Azurite (node not found)"
  command -v npm >/dev/null || die "npm is needed for Azurite (npm not found)"
  command -v curl >/dev/null || die "curl is needed (curl not found)"
  command -v setsid >/dev/null || die "setsid (util-linux) is needed (setsid not found)"
  [ "${BASH_VERSINFO[0]}" -gt 5 ] || { [ "${BASH_VERSINFO[0]}" -eq 5 ] && [ "${BASH_VERSINFO[1]}" -ge 1 ]; } || die "bash 5.1 or newer is needed"
}

# Azurite, pinned by infra/local/package-lock.json; reinstalled when the lock file changes.
install_azurite() {
  local stamp="$ROOT/infra/local/node_modules/.installed-lock"
  if [ -x "$AZURITE" ] && [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/infra/local/package-lock.json"; then
    return
  fi
  say "installing Azurite (npm ci in infra/local)"
  (cd "$ROOT/infra/local" && npm ci --no-audit --no-fund --loglevel=error) >&2
  cp "$ROOT/infra/local/package-lock.json" "$stamp"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    port_in_use "$1" && return 0
    sleep 0.1
  done
  return 1
}

connection_string() { # blob queue table
  printf 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=http://127.0.0.1:%s/devstoreaccount1;QueueEndpoint=http://127.0.0.1:%s/devstoreaccount1;TableEndpoint=http://127.0.0.1:%s/devstoreaccount1;' \
    "$AZURITE_ACCOUNT_KEY" "$1" "$2" "$3"
}

# Stops a process with SIGTERM and waits for it (Azurite flushes its data on SIGTERM).
stop_process() { # pid [name]
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
