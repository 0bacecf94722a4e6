#!/usr/bin/env bash
# Runs every test suite against the binaries in BUILD and prints the one
# summary line "N passed, N failed". Usage: tests/run.sh BUILD [REGEX]
set -u
B=$1
K=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Sanitizer failures must never look like ptk's own exit status 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=99:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=98}
export NO_COLOR=1
# Every pipeline run in the tests re-verifies the IR after each pass, so a
# pass that breaks the IR fails the tests (PTK_VERIFY_EACH=0 turns it off).
export PTK_VERIFY_EACH=${PTK_VERIFY_EACH:-1}
kargs=()
[ -n "$K" ] && kargs=(-k "$K")

suites=(unit lit)
"$B/ptk-unit" "${kargs[@]}" --summary "$tmp/unit"
"$B/ptk-lit" --ptk "$B/ptk" "${kargs[@]}" --summary "$tmp/lit" "$here/tests/lit"
# The corpus runs kernels, so it needs the `run` subcommand.
if [ -x "$B/ptk-corpus" ] && [ -d "$here/../shared/corpus/pto" ] && "$B/ptk" run --help >/dev/null 2>&1; then
  suites+=(corpus)
  "$B/ptk-corpus" --ptk "$B/ptk" "${kargs[@]}" --summary "$tmp/corpus" "$here/../shared/corpus/pto"
fi
# The VPTO corpus: every case on both engines.
if [ -x "$B/ptk-corpus" ] && [ -d "$here/../shared/corpus/vpto" ] && "$B/ptk" run --help >/dev/null 2>&1; then
  suites+=(vpto)
  "$B/ptk-corpus" --ptk "$B/ptk" --vpto --xfail "$here/tests/tools/corpus/vpto_xfail.txt" "${kargs[@]}" \
    --summary "$tmp/vpto" "$here/../shared/corpus/vpto"
fi

# The Python package over $B/libptk.so (tests/python/run.py). Under the
# sanitizers the instrumented library needs their runtimes preloaded into
# the (uninstrumented) interpreter; leak checks would report the
# interpreter's own allocations.
suites+=(python)
py=${PTK_PYTHON:-/usr/bin/python3}
if [ -n "${PTK_TEST_SAN:-}" ]; then
  LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)" \
    ASAN_OPTIONS=detect_leaks=0:exitcode=99 \
    "$py" "$here/tests/python/run.py" --build "$B" "${kargs[@]}" --summary "$tmp/python"
else
  "$py" "$here/tests/python/run.py" --build "$B" "${kargs[@]}" --summary "$tmp/python"
fi

passed=0 failed=0
for s in "${suites[@]}"; do
  if [ -s "$tmp/$s" ]; then
    read -r p f <"$tmp/$s"
    passed=$((passed + p)) failed=$((failed + f))
  else
    echo "suite $s did not finish (crashed or was killed)"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
