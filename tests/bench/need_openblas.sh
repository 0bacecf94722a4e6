#!/usr/bin/env bash
# Called by `make bench` before the benchmarks (not a benchmark itself; run.sh
# skips it): numpy comparisons must run numpy on OpenBLAS, which Debian's
# libopenblas0-pthread provides (it switches numpy's BLAS alternative).
# Installs it with apt-get when missing; prints a note when it cannot.
dpkg -s libopenblas0-pthread >/dev/null 2>&1 && exit 0
echo "bench: installing libopenblas0-pthread (numpy's BLAS for the comparisons)"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo -n"
if ! $sudo apt-get install -y libopenblas0-pthread >/dev/null 2>&1; then
  $sudo apt-get update >/dev/null 2>&1 || true
  $sudo apt-get install -y libopenblas0-pthread >/dev/null 2>&1 ||
    echo "bench: could not install libopenblas0-pthread; numpy ratios use the reference BLAS"
fi
exit 0
