#!/usr/bin/python3
"""Writes the inputs and numpy references of the stdlib tests.

    /usr/bin/python3 tests/e2e/stdlib/gen.py     (needs numpy; deterministic)

For every run of a kernel of kernels.ptk it writes data/<case>.<k>.npy: the
input (for an `in` argument) or the expected output (for an `out`
argument) of the kernel's k-th parameter (an array already written for an
earlier case is not written again: cases.json names the file), and lists the runs in
data/cases.json. tests/unit/test_stdlib.c reads them at test time (no
numpy needed then), runs each case on the interpreter and on the JIT,
requires bit-identical results from the two, and compares with the
expected outputs: floats with |got - want| <= atol + rtol * |want|,
integers exactly. References are computed in float64 from the exact f32
(or f16) inputs and stored as f32 (the rounding of the reference, at most
6e-8 relative, is far below every tolerance).
"""
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
cases = []
saved = {}  # content -> file name: identical arrays are written once


def In(a):
    return ("in", a)


def Out(a, rtol=0.0, atol=0.0):
    return ("out", a, rtol, atol)


def Int(v):
    return ("int", v)


def case(name, kernel, args, consts=None, blocks=1):
    rec = {"name": name, "kernel": kernel, "consts": consts or {}, "blocks": blocks, "args": []}
    for k, a in enumerate(args):
        if a[0] == "int":
            rec["args"].append({"int": a[1]})
            continue
        arr = a[1]
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        arr = np.ascontiguousarray(arr)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        fn = saved.get(key)
        if fn is None:
            fn = saved[key] = "%s.%d.npy" % (name, k)
            np.save(os.path.join(DATA, fn), arr)
        if a[0] == "in":
            rec["args"].append({"in": fn})
        else:
            rec["args"].append({"out": fn, "rtol": a[2], "atol": a[3]})
    cases.append(rec)


def f32(a):
    return np.asarray(a, dtype=np.float32)


def d(a):  # the exact value of an f32/f16 array, in float64
    return np.asarray(a, dtype=np.float64)


def bf16(a32):
    """f32 -> bf16 (nearest, ties to even) -> f32; finite inputs only."""
    u = np.asarray(a32, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) >> 16 << 16
    return u.astype(np.uint32).view(np.float32)


def main():
    os.makedirs(DATA, exist_ok=True)
    for f in os.listdir(DATA):
        os.remove(os.path.join(DATA, f))
    rng = np.random.default_rng(14)

    # ---- act.ptk: elementwise ------------------------------------------------------------
    R, C = 16, 64
    x = rng.normal(0.0, 3.0, (R, C))
    x[0, :] = np.linspace(-10, 10, C)  # a sweep, through 0
    x[1, :8] = [0.0, -0.0, 30.0, -30.0, 100.0, -100.0, 1e-4, -1e-4]
    x = f32(x)
    X = d(x)
    erf = np.vectorize(math.erf)
    sig = 1.0 / (1.0 + np.exp(-X))
    refs = {
        "sigmoid": (sig, 1e-6, 1e-6),
        "tanh": (np.tanh(X), 0.0, 1e-6),
        "silu": (X * sig, 1e-6, 1e-6),
        "gelu": (0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X**3))), 1e-6, 1e-6),
        "gelu_erf": (0.5 * X * (1 + erf(X / math.sqrt(2))), 0.0, 1e-6),
        "softplus": (np.logaddexp(0.0, X), 1e-6, 1e-6),
        "relu": (np.maximum(X, 0), 0.0, 0.0),
        "nn_relu": (np.maximum(X, 0), 0.0, 0.0),
    }
    for fname, (ref, rtol, atol) in refs.items():
        case("elementwise_" + fname, "elementwise", [In(x), Out(ref, rtol, atol)], {"F": fname})

    # ---- act.ptk: row-wise (13 rows in a 16-row tile: a partial tile) ----------------------
    rows = 13
    x = f32(rng.normal(0.0, 4.0, (rows, C)))
    X = d(x)
    m = X.max(axis=1, keepdims=True)
    e = np.exp(X - m)
    s = e.sum(axis=1, keepdims=True)
    for fname in ("softmax", "nn_softmax"):
        case("rowwise_" + fname, "rowwise",
             [In(x), Out(e / s, 1e-5, 1e-7), Out(m), Out(s, 1e-5, 0.0), Int(rows)], {"F": fname})
    case("rowwise_log_softmax", "rowwise",
         [In(x), Out(X - m - np.log(s), 1e-5, 1e-5), Out(m), Out(np.log(s), 1e-5, 1e-6), Int(rows)],
         {"F": "log_softmax"})

    # ---- attn.ptk: online softmax over 4 column blocks of 32 -------------------------------
    R, BC, NB = 16, 32, 4
    x = rng.normal(0.0, 3.0, (R, BC * NB))
    x[:, BC:2 * BC] += 6.0  # the row maximum moves in a later block: alpha < 1
    x = f32(x)
    X = d(x)
    p = np.exp(X - X.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    fold = p.reshape(R, NB, BC).sum(axis=1)
    case("online_softmax", "online", [In(x), Out(p, 1e-5, 1e-7), Out(fold, 1e-5, 1e-7)])

    # ---- norm.ptk (13 rows: a partial tile) ------------------------------------------------
    rows, C, eps = 13, 64, 1e-5
    x = f32(rng.normal(0.5, 2.0, (rows, C)))
    g = f32(rng.uniform(0.5, 1.5, (1, C)))
    b = f32(rng.normal(0.0, 1.0, (1, C)))
    X, G, B = d(x), d(g), d(b)
    r_rms = 1.0 / np.sqrt((X**2).mean(axis=1, keepdims=True) + eps)
    mu = X.mean(axis=1, keepdims=True)
    r_ln = 1.0 / np.sqrt(((X - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    zero = np.zeros((rows, 1))
    norms = {
        "rms": (X * r_rms, r_rms, zero),
        "rms_affine": (X * r_rms * G, r_rms, zero),
        "rstd": (X * r_rms, r_rms, zero),
        "nn_rms": (X * r_rms, r_rms, zero),
        "layer": ((X - mu) * r_ln, r_ln, mu),
        "layer_affine": ((X - mu) * r_ln * G + B, r_ln, mu),
        "nn_layer": ((X - mu) * r_ln, r_ln, mu),
    }
    for fname, (y, r, mref) in norms.items():
        case("norms_" + fname, "norms",
             [In(x), In(g), In(b), Out(y, 1e-5, 1e-6), Out(r, 1e-5, 0.0), Out(mref, 1e-5, 1e-6),
              Int(rows)], {"F": fname})

    # ---- reduce.ptk -----------------------------------------------------------------------
    R, C = 16, 64
    x = f32(rng.normal(0.0, 1.0, (R, C)))
    X = d(x)
    i32 = lambda a: np.asarray(a, dtype=np.int32)
    case("reductions", "reductions", [
        In(x),
        Out(X.sum(axis=1, keepdims=True), 1e-5, 1e-5),
        Out(X.max(axis=1, keepdims=True)),
        Out(X.min(axis=1, keepdims=True)),
        Out(X.mean(axis=1, keepdims=True), 1e-5, 1e-6),
        Out(X.mean(axis=1, keepdims=True), 1e-5, 1e-6),
        Out(i32(X.argmax(axis=1)).reshape(R, 1)),
        Out(i32(X.argmin(axis=1)).reshape(R, 1)),
        Out(X.sum(axis=0, keepdims=True), 1e-5, 1e-5),
        Out(X.max(axis=0, keepdims=True)),
        Out(X.min(axis=0, keepdims=True)),
        Out(X.mean(axis=0, keepdims=True), 1e-5, 1e-6),
        Out(i32(X.argmax(axis=0)).reshape(1, C)),
    ])

    # ---- cast.ptk -------------------------------------------------------------------------
    x = rng.normal(0.0, 100.0, (R, C))
    x[0, :16] = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.7, -2.7, 0.0, -0.0, 65504.0, -65504.0,
                 1e-8, 3.0e-5, 1.0009765625, 1.00048828125]  # ties and f16 edges
    x[1, :] = rng.uniform(-4.0, 4.0, C)
    x = f32(x)
    h = x.astype(np.float16)  # numpy: nearest, ties to even
    case("casts", "casts", [
        In(x),
        Out(h),
        Out(bf16(x)),
        Out(bf16(h.astype(np.float32))),
        Out(h.astype(np.float32)),
        Out(i32(np.rint(d(x)))),
        Out(i32(np.trunc(d(x)))),
        Out(i32(np.floor(d(x)))),
    ])

    # ---- gemm.ptk -------------------------------------------------------------------------
    M, N, K = 64, 64, 128
    a = rng.uniform(-1, 1, (M, K)).astype(np.float16)
    bm = rng.uniform(-1, 1, (K, N)).astype(np.float16)
    bt = rng.uniform(-1, 1, (N, K)).astype(np.float16)
    bias = f32(rng.normal(0, 1, (1, N)))
    A, Bm, Bt = d(a), d(bm), d(bt)
    case("matmuls", "matmuls", [
        In(a), In(bm), In(bt), In(bias),
        Out(A @ Bm, 1e-5, 1e-5),
        Out(A @ Bm + d(bias), 1e-5, 1e-5),
        Out(A @ Bt.T, 1e-5, 1e-5),
        Out(A[:, K // 2:] @ Bm[K // 2:, :], 1e-5, 1e-5),
    ], blocks=3)

    # ---- attn.ptk: rope -------------------------------------------------------------------
    S, D = 16, 64
    H = D // 2
    x = f32(rng.normal(0, 1, (S, D)))
    theta = 10000.0 ** (-np.arange(H) * 2.0 / D)
    ang = np.arange(S)[:, None] * theta[None, :]
    cs, sn = f32(np.cos(ang)), f32(np.sin(ang))
    X, CS, SN = d(x), d(cs), d(sn)
    x1, x2 = X[:, :H], X[:, H:]
    y = np.concatenate([x1 * CS - x2 * SN, x2 * CS + x1 * SN], axis=1)
    case("rope", "rotary", [In(x), In(cs), In(sn), Out(y, 1e-5, 1e-6)])

    # ---- attn.ptk: causal mask, flash attention -------------------------------------------
    R, C = 16, 32
    x = f32(rng.normal(0, 1, (R, C)))
    big = float(np.float32(3.0e38))
    for q0, k0 in ((0, 0), (16, 8), (3, 20)):
        keep = (k0 + np.arange(C))[None, :] <= (q0 + np.arange(R))[:, None]
        case("attention_mask_%d_%d" % (q0, k0), "masks",
             [In(x), Out(np.where(keep, d(x), d(x) - big), 1e-7, 0.0), Int(q0), Int(k0)])
    D = 32
    for name, sq, skv, br, bc, causal, blocks in (("", 96, 96, 32, 32, False, 2),
                                                  ("_kv", 64, 128, 32, 16, False, 3),
                                                  ("_causal", 96, 96, 32, 32, True, 2),
                                                  ("_causal_bc16", 96, 96, 32, 16, True, 3)):
        q = rng.uniform(-1, 1, (sq, D)).astype(np.float16)
        k = rng.uniform(-1, 1, (skv, D)).astype(np.float16)
        v = rng.uniform(-1, 1, (skv, D)).astype(np.float16)
        s = 0.25 * d(q) @ d(k).T
        if causal:
            s = np.where(np.tril(np.ones((sq, skv))) > 0, s, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        # P is rounded to f16 before P @ V: about 5e-4 relative per term
        case("attention" + name, "attention",
             [In(q), In(k), In(v), Out(p @ d(v), 2e-3, 2e-3), Int(sq), Int(skv)],
             {"BR": str(br), "BC": str(bc), "CAUSAL": "true" if causal else "false"}, blocks)

    # ---- gemm.ptk: whole and batched products, transposed operands --------------------------
    nb, M, N, K, TM, TN, TK = 3, 32, 64, 64, 16, 32, 32
    a = rng.uniform(-1, 1, (nb, M, K)).astype(np.float16)
    bm = rng.uniform(-1, 1, (nb, K, N)).astype(np.float16)
    at = rng.uniform(-1, 1, (nb, K, M)).astype(np.float16)
    bt = rng.uniform(-1, 1, (nb, N, K)).astype(np.float16)
    A, Bm, At, Bt = d(a), d(bm), d(at), d(bt)
    AT, BT = At.transpose(0, 2, 1), Bt.transpose(0, 2, 1)
    flat = lambda z: z.reshape(nb * M, N)
    case("matmuls_batched", "batched", [
        In(a), In(bm), In(at), In(bt),
        Out(A[0] @ Bm[0], 1e-5, 1e-5),
        Out(flat(A @ Bm), 1e-5, 1e-5),
        Out(flat(A @ BT), 1e-5, 1e-5),
        Out(flat(AT @ Bm), 1e-5, 1e-5),
        Out(flat(AT @ BT), 1e-5, 1e-5),
        Out(A[0, TM:2 * TM, TK:] @ Bm[0, TK:, TN:2 * TN], 1e-5, 1e-5),
        Int(nb),
    ], blocks=4)

    with open(os.path.join(DATA, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
