#!/usr/bin/env bash
# A private PostgreSQL cluster on a free loopback port, trust auth on 127.0.0.1 only, for tests and for trying the
# portal on several instances. Sourced by test.sh and scripts/run-cluster.sh:
#   pg_cluster_start   -> exports PORTAL_PG_DIR, PORTAL_PG_PORT, PORTAL_TEST_PG (server connection string, no database)
#   pg_cluster_stop    -> stops the cluster and removes its directory
# Runs the server as the `postgres` user (initdb refuses root); installs Debian's postgresql when the binaries are missing.

pg_bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

pg_cluster_start() {
  local bin
  if ! bin="$(pg_bin_dir)"; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "pg-cluster: installing postgresql"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null || return 1
    bin="$(pg_bin_dir)" || return 1
  fi
  local as_postgres=()
  if [ "$(id -u)" -eq 0 ]; then
    as_postgres=(runuser -u postgres --)
  elif [ "$(id -un)" != "postgres" ]; then
    as_postgres=(sudo -u postgres)
  fi
  PORTAL_PG_DIR="$(mktemp -d /tmp/portal-pg.XXXXXX)"
  chmod 755 "$PORTAL_PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PORTAL_PG_DIR"
  PORTAL_PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  "${as_postgres[@]}" "$bin/initdb" -D "$PORTAL_PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PORTAL_PG_DIR/initdb.log" 2>&1 || { cat "$PORTAL_PG_DIR/initdb.log"; return 1; }
  # Enough connections for two portal instances and parallel test hosts (each an Npgsql pool + Hangfire's workers).
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$PORTAL_PG_DIR/data" -l "$PORTAL_PG_DIR/log" -w \
    -o "-p $PORTAL_PG_PORT -h 127.0.0.1 -k $PORTAL_PG_DIR -c max_connections=400 -c fsync=${PORTAL_PG_FSYNC:-on}" start >/dev/null || { cat "$PORTAL_PG_DIR/log"; return 1; }
  PORTAL_TEST_PG="Host=127.0.0.1;Port=$PORTAL_PG_PORT;Username=postgres"
  PG_CLUSTER_BIN="$bin"
  PG_CLUSTER_AS=("${as_postgres[@]}")
  export PORTAL_PG_DIR PORTAL_PG_PORT PORTAL_TEST_PG
  echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORTAL_PG_PORT"
}

pg_cluster_stop() {
  [ -n "${PORTAL_PG_DIR:-}" ] && [ -d "$PORTAL_PG_DIR" ] || return 0
  "${PG_CLUSTER_AS[@]}" "$PG_CLUSTER_BIN/pg_ctl" -D "$PORTAL_PG_DIR/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$PORTAL_PG_DIR"
  PORTAL_PG_DIR=""
}
