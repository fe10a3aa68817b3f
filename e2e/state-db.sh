#!/usr/bin/env bash
# A PostgreSQL server for the team-state suite (test/e2e/team-state.e2e.test.ts): Debian's PostgreSQL, a database
# cluster of its own in a temporary folder, listening on 127.0.0.1 only, with a role and a database for Pulumi's
# PostgreSQL DIY backend (`pulumi login postgres://...`).
#
#   e2e/state-db.sh check       the prerequisites, each named with what to install
#   e2e/state-db.sh run CMD...  start it, run CMD with GUIDE_E2E_POSTGRES_URL (the backend URL, password included) and
#                               GUIDE_E2E_PSQL (its psql) set, then stop it and remove its data (also on failure and
#                               Ctrl-C)
#
# State lives in $GUIDE_E2E_STATE_DB (default: /tmp/guide-as-code-state-db-$UID), outside the repo.
set -euo pipefail

work=${GUIDE_E2E_STATE_DB:-/tmp/guide-as-code-state-db-$(id -u)}
data=$work/data

# The newest PostgreSQL server Debian installed (postgresql depends on postgresql-<major>).
pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
  echo "$dir"
}

prerequisites() {
  local bin missing=()
  bin=$(pg_bin)
  for tool in initdb pg_ctl psql; do
    [ -n "$bin" ] && [ -x "$bin/$tool" ] || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "state-db.sh: missing: PostgreSQL's ${missing[*]} (the Debian package postgresql, under /usr/lib/postgresql/<major>/bin)" >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "state-db.sh: PostgreSQL refuses to run as root, and there is no postgres user to run it as (the Debian package postgresql makes it)" >&2
    exit 1
  fi
  command -v ss >/dev/null 2>&1 || { echo "state-db.sh: missing: ss (the Debian package iproute2)" >&2; exit 1; }
}

# PostgreSQL's server refuses root: as root, its commands run as the postgres user Debian's package made.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A port nothing listens on, from a range clear of PostgreSQL's own 5432.
free_port() {
  local port
  for port in $(seq 15432 15531); do
    if [ -z "$(ss -ltnH "sport = :$port")" ]; then echo "$port"; return; fi
  done
  echo "state-db.sh: no free port in 15432-15531" >&2
  return 1
}

up() {
  local bin port password admin_password
  prerequisites
  bin=$(pg_bin)
  down
  mkdir -p "$work"
  chmod 700 "$work"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$work"; fi
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  admin_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  # Passwords in files the server's owner alone reads: never on a command line, where ps would show them.
  as_owner sh -c "umask 077; echo '$admin_password' > '$work/admin.pw'"
  as_owner "$bin/initdb" -D "$data" -U guide_admin --pwfile="$work/admin.pw" --auth=scram-sha-256 --encoding=UTF8 \
    --no-instructions >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
  port=$(free_port)
  if ! as_owner "$bin/pg_ctl" -D "$data" -l "$work/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$work'" >/dev/null; then
    echo "state-db.sh: PostgreSQL did not start:" >&2
    tail -n 20 "$work/server.log" >&2
    exit 1
  fi
  # A role for Pulumi that owns its database and nothing else, as a team would set it up.
  PGPASSWORD=$admin_password "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U guide_admin -d postgres \
    >/dev/null <<SQL
CREATE ROLE pulumi LOGIN PASSWORD '$password';
CREATE DATABASE pulumi_state OWNER pulumi;
SQL
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') up on 127.0.0.1:$port (database pulumi_state, role pulumi)" >&2
  echo "export GUIDE_E2E_POSTGRES_URL='postgres://pulumi:$password@127.0.0.1:$port/pulumi_state?sslmode=disable'"
  echo "export GUIDE_E2E_PSQL='$bin/psql'"
}

down() {
  local bin
  bin=$(pg_bin)
  if [ -f "$data/postmaster.pid" ] && [ -n "$bin" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || echo "state-db.sh: pg_ctl stop failed" >&2
  fi
  rm -rf "$work"
}

case ${1:-} in
  check) prerequisites ;;
  run)
    shift
    trap 'down' EXIT
    trap 'exit 130' INT TERM
    eval "$(up)"
    "$@"
    ;;
  *) echo "usage: e2e/state-db.sh check|run CMD..." >&2; exit 2 ;;
esac
