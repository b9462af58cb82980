#!/usr/bin/env bash
# The shared store's real server: Debian's PostgreSQL 15 (initdb, postgres, psql, pg_isready under
# /usr/lib/postgresql/15/bin). Nothing is started here and no cluster is made: the tests run their
# own server (Tests/PCloudTestSupport/PostgresServer.swift: initdb + postgres in a temporary
# directory, as the postgres user the package creates) and stop it by PID.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install postgresql
test -x /usr/lib/postgresql/15/bin/initdb || { echo "postgresql.sh: no /usr/lib/postgresql/15/bin/initdb after installing postgresql" >&2; exit 1; }
id postgres >/dev/null
