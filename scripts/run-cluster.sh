#!/usr/bin/env bash
# Two portal instances on one PostgreSQL with the WeChat emulator in its own process, on this machine, for a person to
# try (docs/scaling.md). Ctrl-C stops everything and removes the private PostgreSQL cluster.
#   scripts/run-cluster.sh [portA=5081] [portB=5082] [emulator=5090]
# Open http://127.0.0.1:5081 and http://127.0.0.1:5082 (the same data; sign in as admin / Portal-demo-2026 on either).
# The emulator pushes tickets and authorizations to instance A; the redirect goes to whichever instance launched it.
set -euo pipefail
cd "$(dirname "$0")/.."
port_a="${1:-5081}"
port_b="${2:-5082}"
port_emulator="${3:-5090}"

# shellcheck source=pg-cluster.sh
source scripts/pg-cluster.sh
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_cluster_stop
}
trap cleanup EXIT INT TERM

dotnet build Portal.sln -v q -nologo >/dev/null
pg_cluster_start
"$PG_CLUSTER_BIN/psql" -h 127.0.0.1 -p "$PORTAL_PG_PORT" -U postgres -qc "CREATE DATABASE portal" postgres
connection="$PORTAL_TEST_PG;Database=portal"

# Emulator credentials for this run only (ADR-005: nothing committed).
app_id="wx$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
secret="$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
token="tok$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
aes_key="$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 43)"
emulator="http://127.0.0.1:$port_emulator"

dotnet src/Portal.WeChat.Emulator/bin/Debug/net10.0/Portal.WeChat.Emulator.dll --urls "$emulator" \
  --Emulator:ComponentAppId="$app_id" --Emulator:ComponentAppSecret="$secret" --Emulator:Token="$token" \
  --Emulator:EncodingAesKey="$aes_key" --Emulator:EventUrl="http://127.0.0.1:$port_a/wechat/component/events" \
  --Emulator:InitiationDomain=127.0.0.1 --Logging:LogLevel:Default=Warning &
pids+=($!)

start_portal() {
  local port="$1" name="$2"
  # Development: static web assets from the build output (dependencies guide, trap 2).
  ASPNETCORE_ENVIRONMENT=Development dotnet src/Portal.Web/bin/Debug/net10.0/Portal.Web.dll --contentRoot "$PWD" \
    --urls "http://127.0.0.1:$port" --Portal:PublicBaseUrl="http://127.0.0.1:$port" \
    --Portal:DataDirectory="$PORTAL_PG_DIR/portal-$name" \
    --Portal:Database:Provider=PostgreSql --ConnectionStrings:Portal="$connection" \
    --WeChat:Mode=Emulator --WeChat:EmulatorBaseUrl="$emulator" --WeChat:ComponentAppId="$app_id" \
    --WeChat:ComponentAppSecret="$secret" --WeChat:Token="$token" --WeChat:EncodingAesKey="$aes_key" \
    --Logging:LogLevel:Default=Warning >"$PORTAL_PG_DIR/portal-$name.log" 2>&1 &
  pids+=($!)
}

wait_for() {
  for _ in $(seq 1 120); do curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "run-cluster: $1 did not come up"; return 1
}

# A first (it creates the schema; B would simply wait on EF's migration lock), then B.
start_portal "$port_a" a
wait_for "http://127.0.0.1:$port_a"
start_portal "$port_b" b
wait_for "http://127.0.0.1:$port_b"
curl -fsS -X POST "$emulator/admin/api/tickets/push" >/dev/null

cat <<INFO
run-cluster: ready
  portal A   http://127.0.0.1:$port_a   (log: $PORTAL_PG_DIR/portal-a.log)
  portal B   http://127.0.0.1:$port_b   (log: $PORTAL_PG_DIR/portal-b.log)
  emulator   $emulator/admin   (pushes to A)
  database   $connection
Try: kill one portal (kill -9 <pid>) and watch the other carry on. Ctrl-C stops everything.
INFO
wait
