#!/bin/sh
# make_build.sh PTK DIR: compiles Inputs/vadd.pto into the build folder DIR
# and saves a run in it (inputs/, outputs/, run.json: the layout that
# `ptk run --save DIR` writes, see runtime/replay.h), built here from
# `ptk run --out` so the replay tests do not depend on --save.
set -e
ptk=$1 dir=$2 here=$(dirname "$0")
rm -rf "$dir"
"$ptk" compile "$here/vadd.pto" -o "$dir"
# c is an output: its initial contents do not matter, so the tensors that
# `run --out` leaves behind serve as the saved inputs.
"$ptk" run "$dir/kernel.pto" --out "$dir/inputs" -- rand:f32:4x8:1 rand:f32:4x8:2 zeros:f32:4x8
"$ptk" run "$dir/kernel.pto" --out "$dir/outputs" -- "$dir/inputs/0_arg0.npy" "$dir/inputs/1_arg1.npy" "$dir/inputs/2_arg2.npy"
printf '{"format": "ptk-run", "format_version": 1, "entry": "vadd", "blocks": 1, "target": null, "poison": false}\n' > "$dir/run.json"
