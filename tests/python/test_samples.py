"""Every samples/*.ptk kernel through the Python API against numpy (the
arguments each needs as in tests/unit/test_e2e_samples.c), in place and
return style, on the interpreter and (bit for bit the same) the JIT."""

import os

import numpy as np

import ptk
from util import ROOT, check_close, rng, sample

COVERED = {"vadd.ptk", "softmax.ptk", "rmsnorm.ptk", "layernorm.ptk", "matmul.ptk",
           "flash_attention.ptk"}


def test_every_sample_is_covered():
    have = {f for f in os.listdir(os.path.join(ROOT, "samples")) if f.endswith(".ptk")}
    assert have == COVERED, "samples without a Python test: %s" % sorted(have - COVERED)


def test_vadd():
    k = ptk.load(sample("vadd.ptk"), consts={"TILE": 64})
    assert k.signature == (("x", "tensor", "f32", "in"), ("y", "tensor", "f32", "in"),
                           ("z", "tensor", "f32", "out"), ("n", "scalar", "i32", "in"))
    for n, blocks in [(1, 1), (63, 2), (64, 3), (65, 3), (1000, 4)]:
        r = rng(n)
        x = r.uniform(-10, 10, n).astype(np.float32)
        y = r.uniform(-10, 10, n).astype(np.float32)
        z = np.full(n, -7, np.float32)
        k(x, y, z, n, blocks=blocks)
        assert np.array_equal(z, x + y), "vadd n=%d" % n
        z2 = k.call(x, y, n, blocks=blocks)
        assert z2.dtype == np.float32 and z2.shape == (1, n) and np.array_equal(z2[0], x + y)
    kd = ptk.load(sample("vadd.ptk"))  # TILE = 1024, the default
    x = np.arange(3000, dtype=np.float32)
    z = kd.call(x, x, 3000, blocks=2, out_shapes={"z": (3000,)})
    assert z.shape == (3000,) and np.array_equal(z, 2 * x)


def softmax_ref(x):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_softmax():
    kd = ptk.load(sample("softmax.ptk"))
    k = ptk.load(sample("softmax.ptk"), consts={"COLS": 64, "TR": 8})
    for kern, rows, cols, blocks in [(kd, 1, 256, 1), (kd, 37, 256, 2), (k, 13, 64, 1),
                                     (k, 29, 64, 3)]:
        x = rng(rows).uniform(-6, 6, (rows, cols)).astype(np.float32)
        y = np.full_like(x, -7)
        kern(x, y, rows, blocks=blocks)
        check_close(y, softmax_ref(x), 1e-4, 1e-7, "softmax %dx%d" % (rows, cols))
        y2 = kern.call(x, rows, blocks=blocks)
        assert y2.shape == (rows, cols) and np.array_equal(y, y2)


def test_rmsnorm():
    kd = ptk.load(sample("rmsnorm.ptk"))
    k = ptk.load(sample("rmsnorm.ptk"), consts={"CHUNK": 64, "NCHUNK": 3, "TR": 8, "EPS": 0.001})
    for kern, rows, cols, eps, blocks in [(kd, 10, 2048, 1e-6, 2), (k, 1, 192, 1e-3, 1),
                                          (k, 11, 192, 1e-3, 2)]:
        r = rng(cols + rows)
        x = r.uniform(-2, 2, (rows, cols)).astype(np.float32)
        g = r.uniform(0.5, 1.5, (1, cols)).astype(np.float32)
        y = np.full_like(x, -7)
        kern(x, g, y, rows, blocks=blocks)
        xd = x.astype(np.float64)
        ref = xd / np.sqrt((xd * xd).mean(axis=1, keepdims=True) + eps) * g
        check_close(y, ref, 1e-4, 1e-5, "rmsnorm %dx%d" % (rows, cols))


def test_layernorm():
    kd = ptk.load(sample("layernorm.ptk"))
    k = ptk.load(sample("layernorm.ptk"), consts={"COLS": 128})
    kn = ptk.load(sample("layernorm.ptk"), consts={"COLS": 128, "AFFINE": False, "TR": 8})
    for kern, rows, cols, affine, blocks in [(kd, 9, 1024, True, 2), (k, 21, 128, True, 3),
                                             (kn, 13, 128, False, 2)]:
        r = rng(rows * 7)
        x = r.uniform(-3, 5, (rows, cols)).astype(np.float32)
        g = r.uniform(0.5, 1.5, (1, cols)).astype(np.float32)
        b = r.uniform(-1, 1, (1, cols)).astype(np.float32)
        y = np.full_like(x, -7)
        kern(x, g, b, y, rows, blocks=blocks)
        xd = x.astype(np.float64)
        mu = xd.mean(axis=1, keepdims=True)
        ref = (xd - mu) / np.sqrt(((xd - mu) ** 2).mean(axis=1, keepdims=True) + 1e-5)
        if affine:
            ref = ref * g + b
        check_close(y, ref, 1e-4, 1e-4, "layernorm %dx%d" % (rows, cols))


def test_matmul():
    kd = ptk.load(sample("matmul.ptk"))
    k = ptk.load(sample("matmul.ptk"), consts={"TM": 32, "TN": 32, "TK": 32})
    assert [p.np_dtype for p in k.params[:3]] == [np.float16, np.float16, np.float32]
    for kern, m, n, kk, blocks in [(kd, 128, 256, 128, 2), (k, 32, 32, 32, 1),
                                   (k, 96, 64, 160, 4)]:
        r = rng(m + n + kk)
        a = r.uniform(-1, 1, (m, kk)).astype(np.float16)
        b = r.uniform(-1, 1, (kk, n)).astype(np.float16)
        c = np.full((m, n), -7, np.float32)
        kern(a, b, c, m, n, kk, blocks=blocks)
        ref = a.astype(np.float64) @ b.astype(np.float64)
        check_close(c, ref, 1e-4, 1e-4, "matmul %dx%dx%d" % (m, n, kk))
        c2 = kern.call(a, b, m, n, kk, blocks=blocks)
        assert np.array_equal(c2.reshape(m, n), c)


def test_flash_attention():
    kd = ptk.load(sample("flash_attention.ptk"))
    k = ptk.load(sample("flash_attention.ptk"),
                 consts={"BR": 32, "BC": 32, "D": 32, "SCALE": 0.25})
    for kern, seq, d, scale, blocks in [(kd, 64, 64, 0.125, 1), (kd, 192, 64, 0.125, 2),
                                        (k, 96, 32, 0.25, 2)]:
        r = rng(seq + d)
        q, kt, v = (r.uniform(-1, 1, (seq, d)).astype(np.float16) for _ in range(3))
        o = np.full((seq, d), -7, np.float32)
        kern(q, kt, v, o, seq, blocks=blocks)
        s = scale * (q.astype(np.float64) @ kt.astype(np.float64).T)
        ref = softmax_ref(s) @ v.astype(np.float64)
        # P is rounded to f16 before P @ V: relative error ~2^-11 per term.
        check_close(o, ref, 1e-2, 2e-3, "flash_attention seq=%d d=%d" % (seq, d))


def test_jit_matches_interp():
    for name, consts, make in [
        ("vadd.ptk", {"TILE": 64}, lambda r: ([r.uniform(-9, 9, 700).astype(np.float32),
                                               r.uniform(-9, 9, 700).astype(np.float32),
                                               np.zeros(700, np.float32), 700], 2)),
        ("softmax.ptk", {"COLS": 64, "TR": 8},
         lambda r: ([r.uniform(-6, 6, (29, 64)).astype(np.float32),
                     np.zeros((29, 64), np.float32), 29], 3)),
        ("matmul.ptk", {"TM": 32, "TN": 32, "TK": 32},
         lambda r: ([r.uniform(-1, 1, (64, 96)).astype(np.float16),
                     r.uniform(-1, 1, (96, 32)).astype(np.float16),
                     np.zeros((64, 32), np.float32), 64, 32, 96], 2)),
    ]:
        ki = ptk.load(sample(name), consts=consts)
        kj = ptk.load(sample(name), consts=consts, engine="jit")
        assert kj.engine == "jit" and "engine=jit" in repr(kj)
        args_i, blocks = make(rng(5))
        args_j = [a.copy() if isinstance(a, np.ndarray) else a for a in args_i]
        ki(*args_i, blocks=blocks)
        kj(*args_j, blocks=blocks)
        for a, b in zip(args_i, args_j):
            if isinstance(a, np.ndarray):
                assert a.tobytes() == b.tobytes(), "%s: the engines differ" % name


def test_load_string_and_pto():
    text = open(sample("vadd.ptk")).read()
    k = ptk.load(text, consts={"TILE": 32})
    assert k.path == "<string>.ptk" and k.name == "vadd"
    x = np.arange(100, dtype=np.float32)
    assert np.array_equal(k.call(x, x, 100, blocks=2)[0], 2 * x)
    pto = os.path.join(ROOT, "..", "shared", "corpus", "pto", "vadd", "kernel.pto")
    src = ADD_PTO if not os.path.exists(pto) else open(pto).read()
    kp = ptk.load(src)
    assert all(p.name.startswith("arg") for p in kp.params) and len(kp.params) == 3
    kp2 = ptk.load(ADD_PTO)
    assert kp2.name == "add16" and kp2.path == "<string>.pto"
    a = np.arange(16, dtype=np.float32).reshape(2, 8)
    b = np.full((2, 8), 0.5, np.float32)
    c = kp2.call(a, b)  # the shape of %arg2 is static in the IR
    assert c.shape == (2, 8) and np.array_equal(c, a + b)


ADD_PTO = """module {
  func.func @add16(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %c2 = arith.constant 2 : index
    %0 = pto.make_tensor_view %arg0, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>
    %1 = pto.make_tensor_view %arg1, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>
    %2 = pto.make_tensor_view %arg2, shape = [%c2, %c8], strides = [%c8, %c1] : !pto.tensor_view<?x?xf32>
    %3 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>
    %4 = pto.partition_view %1, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>
    %5 = pto.partition_view %2, offsets = [%c0, %c0], sizes = [%c2, %c8] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<2x8xf32>
    %6 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>
    %7 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>
    %8 = pto.alloc_tile : !pto.tile_buf<vec, 2x8xf32>
    pto.tload ins(%3 : !pto.partition_tensor_view<2x8xf32>) outs(%6 : !pto.tile_buf<vec, 2x8xf32>)
    pto.tload ins(%4 : !pto.partition_tensor_view<2x8xf32>) outs(%7 : !pto.tile_buf<vec, 2x8xf32>)
    pto.tadd ins(%6, %7 : !pto.tile_buf<vec, 2x8xf32>, !pto.tile_buf<vec, 2x8xf32>) outs(%8 : !pto.tile_buf<vec, 2x8xf32>)
    pto.tstore ins(%8 : !pto.tile_buf<vec, 2x8xf32>) outs(%5 : !pto.partition_tensor_view<2x8xf32>)
    return
  }
}
"""


def test_readme_example():
    """The README's "From Python" example runs as written (from the repository)."""
    text = open(os.path.join(ROOT, "README.md")).read()
    sec = text.split("## From Python", 1)[1]
    code = sec.split("```python\n", 1)[1].split("```", 1)[0]
    assert "ptk.load(\"samples/softmax.ptk\"" in code and "np.allclose" in code
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    finally:
        os.chdir(cwd)


def test_vpto_vaxpy():
    # samples/vpto: a VPTO micro-instruction kernel, from its .ptk
    # declaration and as the .pto itself, both engines bit for bit
    k = ptk.load(sample("vpto/vaxpy.ptk"))
    assert k.signature == (("x", "tensor", "f32", "in"), ("y", "tensor", "f32", "inout"),
                           ("a", "scalar", "f32", "in"), ("n", "scalar", "i32", "in"))
    kj = ptk.load(sample("vpto/vaxpy.pto"), engine="jit")
    for n in [1, 64, 65, 1000, 16384]:
        r = rng(n)
        x = r.uniform(-4, 4, n).astype(np.float32)
        y0 = r.uniform(-4, 4, n).astype(np.float32)
        y = y0.copy()
        k(x, y, 0.75, n)
        assert np.array_equal(y, np.float32(0.75) * x + y0), "vaxpy n=%d" % n
        yj = y0.copy()
        kj(x, yj, 0.75, n)
        assert np.array_equal(y, yj)
