# The numpy model of tests/lit/run/thistogram.pto's @modes: `gen DIR` writes
# its inputs, `check DIR` compares DIR/i/4_h.npy with the model. Each row's
# result is the ascending cumulative count of the selected byte over the
# elements that pass the filter (runtime/isa/histogram.c).
import sys
import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
hi = np.array([0x10, 0x11, 0x12], np.uint16)
s16 = (hi[rng.integers(0, 3, (4, 64))] << 8) | rng.integers(0, 256, (4, 64)).astype(np.uint16)
i16 = np.array([[0x10], [0x12], [0x11], [0x7F]], np.uint8)  # the last row matches nothing
b = lambda lo, n: rng.integers(lo, lo + 2, n).astype(np.uint32)
s32 = (b(1, (2, 64)) << 24) | (b(2, (2, 64)) << 16) | (b(1, (2, 64)) << 8) | rng.integers(0, 256, (2, 64)).astype(np.uint32)
i32 = rng.integers(0, 256, (3, 32)).astype(np.uint8)  # only column 0 is read
i32[:, 0] = [1, 3, 2]
if mode == "gen":
    for k, v in (("s16", s16), ("i16", i16), ("s32", s32), ("i32", i32)):
        np.save(f"{d}/{k}.npy", v)
    sys.exit(0)

def hist(vals, keep):
    return np.cumsum(np.bincount(vals[keep], minlength=256), dtype=np.uint32)

byte = lambda x, k: ((x.astype(np.uint32) >> (8 * k)) & 0xFF).astype(np.int64)
want = np.zeros((4, 4, 256), np.uint32)
empty = 0
for r in range(4):
    want[0, r] = hist(byte(s16[r], 1), np.ones(64, bool))
    keep = byte(s16[r], 1) == i16[r, 0]
    want[1, r] = hist(byte(s16[r], 0), keep)
    empty += not keep.any()
for k in (3, 2, 1, 0):
    blk, row0 = (2 if k >= 2 else 3), (0 if k % 2 else 2)  # the kernel's store order
    for r in range(2):
        keep = np.ones(64, bool)
        for f in range(3 - k):
            keep &= byte(s32[r], 3 - f) == i32[f, 0]
        empty += not keep.any()
        want[blk, row0 + r] = hist(byte(s32[r], k), keep)
got = np.load(f"{d}/i/4_h.npy")
if got.shape != want.shape or got.tobytes() != want.tobytes():
    bad = np.argwhere(got != want)[:5]
    print("mismatch at", bad.tolist(), got[tuple(bad[0])], want[tuple(bad[0])])
    sys.exit(1)
print(f"thistogram ok: 6 modes, 16 rows, {empty} of them filtered to nothing")
