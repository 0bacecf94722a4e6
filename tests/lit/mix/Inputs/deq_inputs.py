"""Inputs of deq.pto and its check.

deq_inputs.py DIR        writes DIR/{a,b,fp}.npy
deq_inputs.py DIR OUT [S]  compares OUT.npy with f16(clip(relu(f32(a b) * scale)))
                           (scale: the per-column one, or S for every column)
                           and prints rows 0 and 15"""
import sys
import numpy as np

d = sys.argv[1]
i, k = np.meshgrid(np.arange(16), np.arange(32), indexing="ij")
a = ((3 * i + k) % 7 - 3).astype(np.int8)
k2, j = np.meshgrid(np.arange(32), np.arange(32), indexing="ij")
b = ((5 * k2 + j) % 5 - 2).astype(np.int8)
scale = (np.arange(32, dtype=np.float32) + 1) / np.float32(4)
scale[31] = 30000
if len(sys.argv) == 2:
    np.save(d + "/a.npy", a)
    np.save(d + "/b.npy", b)
    np.save(d + "/fp.npy", scale.view(np.uint32).astype(np.uint64).reshape(1, 32))
    sys.exit(0)
out = np.load(sys.argv[2])
acc = a.astype(np.int32) @ b.astype(np.int32)
if len(sys.argv) > 3:
    scale = np.float32(float(sys.argv[3]))
v = acc.astype(np.float32) * scale
v = np.where(v > 0, v, np.float32(0))  # relu: -0 becomes +0
want = np.clip(v, -65504, 65504).astype(np.float16)
print(("deqf16_scalar: " if len(sys.argv) > 3 else "deqf16_vec: ") + ("exact" if out.dtype == np.float16 and np.array_equal(out.view(np.uint16), want.view(np.uint16)) else "DIFFERENT"))
for r in (0, 15):
    print("row %d: %s" % (r, " ".join("%g" % x for x in out[r])))
