"""Inputs of the mixed-kernel tests (c2v.pto, v2c.pto) and their check.

mix_inputs.py DIR                writes DIR/{a,b,bias}.npy
mix_inputs.py DIR c2v|v2c OUT    compares OUT.npy with the exact result and
                                 prints 'KIND: exact' and rows 0 and 15
mix_inputs.py DIR fifo FIFO      checks that both 16x16 slots of FIFO.npy hold a b"""
import sys
import numpy as np

d = sys.argv[1]
i, k = np.meshgrid(np.arange(16), np.arange(16), indexing="ij")
a = ((i + k) % 4 - 1).astype(np.float16)
b = ((i * k) % 3 - 1).astype(np.float16)
bias = (100 * i + k).astype(np.float32)
if len(sys.argv) == 2:
    np.save(d + "/a.npy", a)
    np.save(d + "/b.npy", b)
    np.save(d + "/bias.npy", bias)
    sys.exit(0)
kind, out = sys.argv[2], np.load(sys.argv[3])
mm = a.astype(np.float64) @ b.astype(np.float64)
if kind == "fifo":
    want = np.concatenate([mm.reshape(-1)] * 2).astype(np.float32)
    print("fifo: " + ("both slots hold a b" if np.array_equal(out.view(np.uint32), want.view(np.uint32)) else "DIFFERENT"))
    sys.exit(0)
want = (mm + bias if kind == "c2v" else 2 * mm).astype(np.float32)
print(kind + (": exact" if out.dtype == np.float32 and np.array_equal(out.view(np.uint32), want.view(np.uint32)) else ": DIFFERENT"))
for r in (0, 15):
    print("row %d: %s" % (r, " ".join("%g" % x for x in out[r])))
