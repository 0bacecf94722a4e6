#!/usr/bin/env bash
# Runs every benchmark program built from tests/bench/*.c (and any
# tests/bench/*.sh script) and prints their reports. Usage: tests/bench/run.sh BUILD
set -euo pipefail
B=$1
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
for p in "$B"/bench/*; do
  [ -x "$p" ] || continue
  echo "== $(basename "$p")"
  "$p"
done
for s in "$here"/*.sh; do
  case "$(basename "$s")" in run.sh | need_openblas.sh) continue ;; esac
  echo "== $(basename "$s")"
  bash "$s" "$B"
done
