"""numpy reference of samples/programs/mlp.ptk: `gen DIR M` writes inputs,
`check DIR` compares DIR/out/4_y.npy with the reference."""
import sys

import numpy as np


def ref(x, g, w1, w2):
    xn = x * g / np.sqrt(np.mean(x * x, axis=1, keepdims=True) + np.float32(1e-6))
    h = xn.astype(np.float16).astype(np.float32) @ w1.astype(np.float32)
    a = (h / (1 + np.exp(-h))).astype(np.float16).astype(np.float32)
    return x + a @ w2.astype(np.float32)


def main():
    cmd, d = sys.argv[1], sys.argv[2]
    if cmd == "gen":
        m = int(sys.argv[3])
        r = np.random.default_rng(7)
        np.save(f"{d}/x.npy", r.uniform(-2, 2, (m, 64)).astype(np.float32))
        np.save(f"{d}/g.npy", r.uniform(0.5, 1.5, (1, 64)).astype(np.float32))
        np.save(f"{d}/w1.npy", (r.uniform(-1, 1, (64, 128)) / 8).astype(np.float16))
        np.save(f"{d}/w2.npy", (r.uniform(-1, 1, (128, 64)) / 8).astype(np.float16))
        return
    x, g, w1, w2 = (np.load(f"{d}/{n}.npy") for n in ("x", "g", "w1", "w2"))
    want = ref(x, g, w1, w2)
    got = np.load(f"{d}/out/4_y.npy")
    err = np.abs(got - want).max()
    # f16 roundings of the intermediates may differ by one ulp in a few places
    print("mlp max abs error %.2e: %s" % (err, "ok" if err < 2e-2 else "MISMATCH"))
    sys.exit(0 if err < 2e-2 else 1)


main()
