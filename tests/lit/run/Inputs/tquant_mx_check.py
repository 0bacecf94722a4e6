# Inputs and an independent numpy model of tests/lit/run/tquant_mx.pto (the
# OCP MXFP8 formula of the PTOAS TquantMx golden, written out again here).
import sys
import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(11)
src = rng.uniform(-10, 10, (2, 64)).astype(np.float32)
src[0, 32:64] = rng.uniform(-1, 1, 32)
src[0, 40] = np.nan                               # group 1: NaN
src[1, 0:32] = rng.uniform(-1, 1, 32) * 2.0**-125  # group 2: no exponent left (e8m0 0)
src[1, 32:64] = rng.uniform(-1e30, 1e30, 32)       # group 3: an infinity and huge values
src[1, 33] = -np.inf
src[1, 34] = 0.0
if mode == "gen":
    np.save(f"{d}/src.npy", src)
    sys.exit(0)


def e4m3(x):
    """f32 -> e4m3fn byte: nearest even, no subnormals (+0), +-448 on overflow, NaN 0x7F."""
    if np.isnan(x):
        return 0x7F
    s = 0x80 if np.signbit(x) else 0
    a = abs(float(x))
    if np.isinf(x) or a >= 464:  # 464 rounds past 448
        return s | 0x7E
    if a < 2.0**-6:
        return 0
    e = int(np.floor(np.log2(a)))
    m = a / 2.0**e * 8  # 8..16
    r = np.round(m)    # ties to even (exact in f64)
    if r == 16:
        e, r = e + 1, 8
    if e > 8:
        return s | 0x7E
    return s | (e + 7) << 3 | (int(r) - 8)


groups = src.reshape(-1, 32)
exp, mx, scl, dst = [], [], [], []
for g in groups:
    amax = np.float32(np.max(np.abs(g)))
    be = (amax.view(np.uint32) >> 23) & 0xFF
    if np.isnan(amax):
        e8, s = 255, np.float32(np.nan)
    elif be <= 8:
        e8, s = 0, np.float32(2.0**127)
    else:
        e8 = int(be) - 8
        s = np.float32(2.0 ** (127 - e8))
    exp.append(e8)
    mx.append(amax)
    scl.append(s)
    dst += [e4m3(np.float32(np.clip(float(x) * float(s), -448, 448))) for x in g]
want = {
    "1_dst": np.array(dst, np.uint8).view(np.int8).reshape(2, 64),
    "2_exp": np.array(exp, np.uint8).reshape(1, 4),
    "3_max": np.array(mx, np.float32).reshape(1, 4),
    "4_scl": np.array(scl, np.float32).reshape(1, 4),
}
for k, w in want.items():
    got = np.load(f"{d}/i/{k}.npy")
    if got.tobytes() != w.tobytes():
        print("mismatch", k, got, w)
        sys.exit(1)
print("exp", *exp)
print("tquant.mx ok")
