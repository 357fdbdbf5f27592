#!/usr/bin/env bash
# Runs every test against BUILD (default build/san): unit tests, then
# integration tests against a throwaway PostgreSQL cluster started here and a
# real comptoird per test program. Artefacts go to tests/out/.
set -u

build=${1:-build/san}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/tests/out
rm -rf "$out"
mkdir -p "$out"

export CPT_BUILD=$top/$build
export CPT_TEST_OUT=$out
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$top/tests/lsan.supp:print_suppressions=0

failed=()
passed=0

run_test() {
	local bin=${*: -1} name
	name=$(basename "$bin")
	local start=$SECONDS
	if "$@" >"$out/$name.log" 2>&1; then
		passed=$((passed + 1))
		printf '  ok    %-40s %3ds\n' "$name" $((SECONDS - start))
	else
		failed+=("$name")
		printf '  FAIL  %-40s %3ds (log: tests/out/%s.log)\n' "$name" $((SECONDS - start)) "$name"
		tail -40 "$out/$name.log" | sed 's/^/        /'
	fi
}

standards=${CPT_STANDARDS:-$top/../shared/standards}
if [ -x "$standards/validate-einvoice.sh" ]; then
	echo "== e-invoices are checked by $standards/validate-einvoice.sh"
else
	echo "== NOTE: $standards/validate-einvoice.sh not found: e-invoice validation is SKIPPED"
fi
export CPT_STANDARDS=$standards

echo "== unit tests"
for t in "$CPT_BUILD"/tests/unit/test_*; do
	[ -x "$t" ] && run_test "$t"
done

echo "== fuzz targets (libFuzzer, 200 000 inputs each)"
for t in "$top"/build/fuzz/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	start=$SECONDS
	if "$t" -runs=200000 -seed=1 -artifact_prefix="$out/" >"$out/$name.log" 2>&1; then
		passed=$((passed + 1))
		printf '  ok    %-40s %3ds\n' "$name" $((SECONDS - start))
	else
		failed+=("$name")
		printf '  FAIL  %-40s (log: tests/out/%s.log)\n' "$name" "$name"
		tail -30 "$out/$name.log" | sed 's/^/        /'
	fi
done

echo "== integration tests (PostgreSQL 15 + comptoird over TLS)"
pgdir=$(mktemp -d /tmp/cpt-pg-XXXXXX)
chmod 755 "$pgdir"
cleanup() { "$top/packaging/pgcluster.sh" stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
conn=$("$top/packaging/pgcluster.sh" start "$pgdir" --fast) || { echo "cannot start PostgreSQL" >&2; exit 1; }
export CPT_TEST_PGHOST=${conn#host=}
export CPT_TEST_PGHOST=${CPT_TEST_PGHOST%% *}
export CPT_TEST_PGPORT=${conn##*port=}
export CPT_TEST_PGDIR=$pgdir
for t in "$CPT_BUILD"/tests/integration/test_*; do
	[ -x "$t" ] && run_test "$t"
done

echo "== GUI tests (the real GTK client under Xvfb, screenshots in tests/out/gui/)"
for t in "$CPT_BUILD"/tests/gui/test_*; do
	[ -x "$t" ] || continue
	# GTK and fontconfig keep caches until exit: leak reports there are not ours.
	# A GLib critical is a bug of ours until proven otherwise: it fails the test.
	G_DEBUG=fatal-criticals \
	ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none \
		run_test dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" "$t"
done

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]} ($passed passed)"
	exit 1
fi
echo "all $passed test programs passed"
