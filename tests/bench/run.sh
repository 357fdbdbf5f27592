#!/usr/bin/env bash
# `make bench`: measures against an optimised build, a private PostgreSQL
# cluster (default settings, fsync on) and a real comptoird, and prints the
# figures. Copy them into BENCHMARKS.md with the machine they came from.
set -eu
build=${1:-build/release}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
export CPT_BUILD=$top/$build
pgdir=$(mktemp -d /tmp/cpt-benchpg-XXXXXX)
chmod 755 "$pgdir"
trap '"$top/packaging/pgcluster.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
conn=$("$top/packaging/pgcluster.sh" start "$pgdir")
export CPT_TEST_PGHOST=${conn#host=}
export CPT_TEST_PGHOST=${CPT_TEST_PGHOST%% *}
export CPT_TEST_PGPORT=${conn##*port=}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
"$CPT_BUILD/tests/bench/bench_rpc" "${BENCH_SECONDS:-5}"
echo
"$CPT_BUILD/tests/bench/bench_search"
echo
"$CPT_BUILD/tests/bench/bench_import"
echo
"$CPT_BUILD/tests/bench/bench_pdf"
echo
"$CPT_BUILD/tests/bench/bench_invoices"
echo
GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none \
	dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" "$CPT_BUILD/tests/bench/gui_bench" 2>/dev/null
