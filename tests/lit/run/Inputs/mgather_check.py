# The exact numpy model of tests/lit/run/mgather.pto's outputs.
import sys
import numpy as np

d = sys.argv[1]
tab = np.load(f"{d}/inputs/0_tab.npy")
out = {k: np.load(f"{d}/outputs/{k}.npy") for k in ("1_rows", "2_elems", "3_sc", "4_acc")}
rows = tab[[6, 5, 4], :]
flat = tab.reshape(-1)
elems = np.stack([flat[9 * np.arange(8)], flat[9 * np.arange(8)], flat[(60 + np.arange(8)) % 64]])
sc = np.zeros((8, 8), np.float32)
sc[[3, 2, 1], :] = rows
acc = np.zeros(64, np.float32)
acc[3] = 8
for k, want in (("1_rows", rows), ("2_elems", elems), ("3_sc", sc), ("4_acc", acc)):
    got = out[k]
    if got.shape != want.shape or got.tobytes() != want.astype(np.float32).tobytes():
        print("mismatch", k, got, want)
        sys.exit(1)
print("mgather ok")
