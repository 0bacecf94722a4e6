# Inputs and the exact numpy model (the PTOAS Quant goldens' formula) of
# tests/lit/run/tquant.pto.
import sys
import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)
src = rng.uniform(-3, 3, (4, 32)).astype(np.float32)
# row 0: exact ties (x.5 with scale 1), saturation and a NaN
src[0, :8] = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 200.0, -300.0]
src[0, 8] = np.nan
fp = np.array([[1.0], [50.0], [127.0], [0.25]], np.float32)
off = np.array([[0.5], [128.0], [-3.0], [100.0]], np.float32)
if mode == "gen":
    np.save(f"{d}/src.npy", src)
    np.save(f"{d}/fp.npy", fp)
    np.save(f"{d}/off.npy", off)
    sys.exit(0)
with np.errstate(invalid="ignore"):
    sym = np.nan_to_num(np.clip(np.round(src * fp), -128, 127)).astype(np.int8)
    asym = np.nan_to_num(np.clip(np.round(src * fp + off), 0, 255)).astype(np.uint8)
got_s = np.load(f"{d}/i/3_sym.npy")
got_a = np.load(f"{d}/i/4_asym.npy")
if got_s.tobytes() != sym.tobytes() or got_a.tobytes() != asym.tobytes():
    print("mismatch", got_s[0], sym[0], got_a[0], asym[0])
    sys.exit(1)
print("tquant ok")
