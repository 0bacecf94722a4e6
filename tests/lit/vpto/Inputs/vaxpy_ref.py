# Inputs and the numpy reference for samples/vpto/vaxpy: gen DIR N, check DIR N.
import sys
import numpy as np

mode, d, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(n)
x = rng.uniform(-4, 4, n).astype(np.float32)
y = rng.uniform(-4, 4, n).astype(np.float32)
if mode == "gen":
    np.save(d + "/x.npy", x)
    np.save(d + "/y.npy", y)
else:
    got = np.load(d + "/out/1_y.npy")
    want = np.float32(1.5) * x + y  # one f32 multiply, one f32 add, as vmuls then vadd
    print("vaxpy n=%d: %s" % (n, "exact" if np.array_equal(got, want) else "MISMATCH"))
