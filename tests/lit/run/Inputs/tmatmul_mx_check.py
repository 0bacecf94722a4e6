# Inputs and the exact numpy model of tests/lit/run/tmatmul_mx.pto: small
# fp8 values and scales 2^-1..2^2 keep every sum exact in f32.
import sys
import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(5)
E4M3 = {0x00: 0.0, 0x30: 0.5, 0x38: 1.0, 0x40: 2.0, 0xB0: -0.5, 0xB8: -1.0, 0xC0: -2.0, 0x44: 3.0}
E5M2 = {0x00: 0.0, 0x38: 0.5, 0x3C: 1.0, 0x40: 2.0, 0xB8: -0.5, 0xBC: -1.0, 0xC0: -2.0, 0x42: 3.0}
a = rng.choice(list(E4M3), size=(16, 64)).astype(np.uint8)
b = rng.choice(list(E5M2), size=(64, 30)).astype(np.uint8)
sa = rng.integers(126, 130, size=(16, 2), dtype=np.uint8)
sb = rng.integers(126, 130, size=(2, 30), dtype=np.uint8)
bias = rng.integers(-8, 8, size=(1, 30)).astype(np.float32)


def pack_a(s):  # 16x2 boxes: [m/16][kg/2][m%16][kg%2]
    m, k = s.shape
    return s.reshape(m // 16, 16, k // 2, 2).transpose(0, 2, 1, 3).reshape(m, k)


def pack_b(s):  # 2x16 boxes, N padded to 32: [n/16][kg/2][n%16][kg%2]
    k, n = s.shape
    p = np.zeros((k, 32), np.uint8)
    p[:, :n] = s
    return p.reshape(k // 2, 2, 2, 16).transpose(2, 0, 3, 1).reshape(k, 32)


if mode == "gen":
    for name, x in (("a", a), ("b", b), ("sa", pack_a(sa)), ("sb", pack_b(sb)), ("bias", bias)):
        np.save(f"{d}/{name}.npy", x)
    sys.exit(0)
av = np.vectorize(E4M3.get)(a) * np.exp2(sa.astype(np.float64) - 127)[:, np.arange(64) // 32]
bv = np.vectorize(E5M2.get)(b) * np.exp2(sb.astype(np.float64) - 127)[np.arange(64) // 32, :]
c = (av @ bv + bias).astype(np.float32)
g = (c[0:1] + av[0:1] @ bv).astype(np.float32)
for name, want in (("5_c", c), ("6_g", g)):
    got = np.load(f"{d}/i/{name}.npy")
    if got.tobytes() != want.tobytes():
        print("mismatch", name, np.abs(got - want).max())
        sys.exit(1)
print("tmatmul.mx ok")
