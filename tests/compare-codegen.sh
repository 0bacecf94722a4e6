#!/usr/bin/env bash
# compare-codegen.sh: what does a change do to the generated code?
#
# usage: tests/compare-codegen.sh [--keep] [--ignore REGEX]... REV [SAMPLE...]
#
# Builds git revision REV in a temporary `git worktree` (under /tmp, removed
# afterwards), builds the current tree, compiles every SAMPLE (default: all
# of samples/*.ptk and samples/*.pto of the current tree) with both
# compilers:
#
#     ptk compile SAMPLE -o OUT/<side>/<sample> --dump-passes
#
# and runs `ptk compare --include-passes` (the current tree's ptk) on the two
# folders, so kernel.pto, kernel_config.json AND every pass dump
# (passes_dump/NN_after_<pass>.pto) are diffed. Both sides compile the same
# sample files, so every difference comes from the compiler. A sample that
# fails to compile leaves its error text in <sample>/compile_error.txt,
# which then shows up in the comparison too.
#
#   REV              any git revision: HEAD, main, a1b2c3d, HEAD~3, a tag
#   SAMPLE           .ptk / .pto files (paths relative to the current folder)
#   --ignore REGEX   passed to ptk compare: drop matching lines (PCRE2), e.g.
#                    --ignore '"version"' when the tool version changed
#   --keep           keep the output folders and print where they are
#
# Environment: BUILD (build folder of the current tree, default build),
# JOBS (make -j, default: the number of CPUs).
#
# Exit status: that of ptk compare (0 identical, 1 different, 2 trouble);
# 2 also when REV cannot be checked out or either tree does not build.
#
# Example:
#   tests/compare-codegen.sh HEAD                    # uncommitted changes vs HEAD
#   tests/compare-codegen.sh main samples/vadd.ptk   # this branch vs main, one sample
set -u -o pipefail

usage() {
  sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
}

keep=0
ignore=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --ignore) [ $# -ge 2 ] || usage; ignore+=(--ignore "$2"); shift 2 ;;
    --ignore=*) ignore+=(--ignore "${1#--ignore=}"); shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "compare-codegen: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || usage
rev=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 4)}

# The samples, as absolute paths (both compilers read the same files).
samples=()
if [ $# -eq 0 ]; then
  shopt -s nullglob
  for f in "$root"/samples/*.ptk "$root"/samples/*.pto; do samples+=("$f"); done
  shopt -u nullglob
  if [ ${#samples[@]} -eq 0 ]; then
    echo "compare-codegen: no samples in $root/samples" >&2
    exit 2
  fi
else
  for f in "$@"; do
    if [ ! -f "$f" ]; then
      echo "compare-codegen: '$f': no such file" >&2
      exit 2
    fi
    samples+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
  done
fi

if ! sha=$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}"); then
  echo "compare-codegen: '$rev' is not a git revision of $root" >&2
  exit 2
fi

tmp=$(mktemp -d /tmp/ptk-compare-codegen.XXXXXX)
wt=$tmp/worktree
cleanup() {
  if [ -d "$wt" ]; then
    git -C "$root" worktree remove --force "$wt" >/dev/null 2>&1 || rm -rf "$wt"
    git -C "$root" worktree prune >/dev/null 2>&1
  fi
  if [ "$keep" = 1 ]; then
    echo "compare-codegen: kept $tmp/$short and $tmp/current" >&2
  else
    rm -rf "$tmp"
  fi
}
short=${sha:0:12}
trap cleanup EXIT
trap 'exit 2' INT TERM

echo "compare-codegen: building $rev ($short) in a temporary worktree" >&2
if ! git -C "$root" worktree add --detach --quiet "$wt" "$sha" >"$tmp/worktree.log" 2>&1; then
  cat "$tmp/worktree.log" >&2
  echo "compare-codegen: cannot check out $rev" >&2
  exit 2
fi
if ! make -C "$wt" -j"$jobs" BUILD=build build/ptk >"$tmp/build-rev.log" 2>&1; then
  tail -n 30 "$tmp/build-rev.log" >&2
  echo "compare-codegen: $rev does not build (log above)" >&2
  exit 2
fi
echo "compare-codegen: building the current tree ($build/ptk)" >&2
if ! make -C "$root" -j"$jobs" BUILD="$build" "$build/ptk" >"$tmp/build-cur.log" 2>&1; then
  tail -n 30 "$tmp/build-cur.log" >&2
  echo "compare-codegen: the current tree does not build (log above)" >&2
  exit 2
fi
ptk_rev=$wt/build/ptk
ptk_cur=$root/$build/ptk
case "$build" in /*) ptk_cur=$build/ptk ;; esac

for p in "$ptk_rev" "$ptk_cur"; do
  if ! "$p" compile --help >/dev/null 2>&1; then
    echo "compare-codegen: $p has no 'compile' command" >&2
    exit 2
  fi
done
if ! "$ptk_cur" compare --help >/dev/null 2>&1; then
  echo "compare-codegen: $ptk_cur has no 'compare' command" >&2
  exit 2
fi

# compile SIDE PTK: every sample into $tmp/SIDE/<name>/
compile_all() {
  local side=$1 ptk=$2 f name out
  mkdir -p "$tmp/$side"
  for f in "${samples[@]}"; do
    name=$(basename "$f")
    name=${name%.*}
    out=$tmp/$side/$name
    # Compile from the samples' folder so paths recorded in the outputs are
    # the same on both sides.
    if ! (cd "$(dirname "$f")" && "$ptk" compile "$(basename "$f")" -o "$out" --dump-passes) \
        >"$tmp/$side.$name.log" 2>&1; then
      mkdir -p "$out"
      cp "$tmp/$side.$name.log" "$out/compile_error.txt"
      echo "compare-codegen: $side: $name does not compile (see $name/compile_error.txt)" >&2
    fi
  done
}

compile_all "$short" "$ptk_rev"
compile_all current "$ptk_cur"

echo "compare-codegen: ${#samples[@]} sample(s): $rev ($short) = a, current tree = b" >&2
(cd "$tmp" && "$ptk_cur" compare "$short" current --include-passes "${ignore[@]}")
exit $?
