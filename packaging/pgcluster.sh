#!/bin/sh
# A private PostgreSQL 15 cluster in a folder, reachable only through a unix
# socket inside it: used by `make run` (var/pg) and by the tests (a temporary
# folder). Never touches a system cluster.
#
#   pgcluster.sh start DIR [--fast]   initdb if needed, then start; prints
#                                     "host=DIR/sock port=PORT"
#   pgcluster.sh stop DIR
#   pgcluster.sh crash DIR            stops it at once, as a crash would
#                                     (tests: recovery from the WAL)
#
# As root, the server binaries run as the postgres user (initdb refuses root).
set -eu

cmd=${1:?usage: pgcluster.sh start|stop|crash DIR [--fast]}
dir=${2:?usage: pgcluster.sh start|stop|crash DIR [--fast]}
fast=${3:-}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || { echo "pgcluster: PostgreSQL 15 is not installed ($bin)" >&2; exit 1; }

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data=$dir/data
sock=$dir/sock
port=5432 # the socket lives in a private folder, so the usual port cannot clash

case $cmd in
start)
	mkdir -p "$sock"
	if [ "$(id -u)" -eq 0 ]; then
		chown postgres:postgres "$dir" "$sock"
		if ! runuser -u postgres -- test -w "$dir"; then
			echo "pgcluster: the postgres user cannot write $dir (a parent folder is closed to it)" >&2
			exit 1
		fi
	fi
	if [ ! -f "$data/PG_VERSION" ]; then
		as_pg "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
			--no-sync >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	opts="-p $port -k $sock -c listen_addresses= -c max_connections=200"
	[ "$fast" = "--fast" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$bin/pg_ctl" -D "$data" -l "$dir/postgresql.log" -w -t 60 -o "$opts" start >/dev/null ||
			{ tail -20 "$dir/postgresql.log" >&2; exit 1; }
	fi
	echo "host=$sock port=$port"
	;;
stop)
	if [ -f "$data/PG_VERSION" ]; then
		as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
crash)
	as_pg "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
	;;
*)
	echo "usage: pgcluster.sh start|stop|crash DIR [--fast]" >&2
	exit 2
	;;
esac
