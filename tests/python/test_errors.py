"""Every error path of the Python API: argument checks (TypeError /
ValueError naming the parameter), load errors and launch errors (ptk.Error
with the rendered diagnostic and its location), and out-of-bounds accesses
that raise without touching memory outside the arrays."""

import os
import pathlib

import numpy as np

import ptk
from util import raises, sample


def vadd():
    return ptk.load(sample("vadd.ptk"), consts={"TILE": 64})


def test_signature_and_repr():
    k = vadd()
    assert [p.name for p in k.params] == ["x", "y", "z", "n"]
    assert [p.kind for p in k.params] == ["tensor", "tensor", "tensor", "scalar"]
    assert [p.direction for p in k.inputs] == ["in", "in", "in"]
    assert [p.name for p in k.outputs] == ["z"]
    r = repr(k)
    assert r.startswith("<ptk.Kernel vadd(x: ptr<f32> in, y: ptr<f32> in, z: ptr<f32> out, "
                        "n: i32) from "), r
    assert "engine=interp" in r and "TILE=64" in r
    assert ptk.version() == ptk.__version__ and ptk.version().count(".") == 2
    k2 = ptk.load(pathlib.Path(sample("vadd.ptk")), consts={"TILE": 64})
    assert k2.params == k.params


def test_argument_count():
    k = vadd()
    x = np.zeros(8, np.float32)
    raises(TypeError, k, x, x, 8, contains=["vadd takes 4 arguments", "z: ptr<f32> out", "got 3"])
    raises(TypeError, k.call, x, x, contains=["vadd .call() takes 3 arguments", "got 2"])


def test_argument_types():
    k = vadd()
    x = np.zeros(8, np.float32)
    raises(TypeError, k, [0.0] * 8, x, x, 8, contains=["argument 'x'", "numpy array", "list"])
    raises(TypeError, k, x, x.astype(np.float64), x, 8,
           contains=["argument 'y'", "float32", "float64"])
    raises(TypeError, k, x, x, x.astype(np.int32), 8, contains=["argument 'z'", "int32"])
    raises(TypeError, k, x, x, x, 8.5, contains=["argument 'n'", "expected an int for i32"])
    raises(TypeError, k, x, x, x, True, contains=["argument 'n'"])
    raises(TypeError, k, x, x, x, x, contains=["argument 'n'"])
    raises(ValueError, k, x, x, x, 1 << 31, contains=["argument 'n'", "does not fit i32"])
    raises(TypeError, k, x, x, x, 8, blocks="4", contains="blocks must be an int")
    raises(ValueError, k, x, x, x, 8, blocks=0, contains="blocks must be at least 1")


def test_array_layout():
    k = vadd()
    x = np.zeros(16, np.float32)
    raises(ValueError, k, x[::2], x[:8], x[:8], 8, contains=["argument 'x'", "C-contiguous"])
    ro = np.zeros(8, np.float32)
    ro.flags.writeable = False
    raises(ValueError, k, x[:8], x[:8], ro, 8, contains=["argument 'z'", "read-only"])
    k(ro, ro, x[:8], 8)  # read-only inputs are fine
    m = np.zeros((4, 4), np.float32)
    raises(ValueError, k, m.T, m, m, 16, contains=["argument 'x'", "C-contiguous"])


def test_scalar_conversions():
    k = vadd()
    x = np.arange(8, dtype=np.float32)
    z = np.zeros(8, np.float32)
    k(x, x, z, np.int64(8))
    assert np.array_equal(z, 2 * x)
    z[:] = 0
    k(x, x, z, np.array(5))  # a 0-d array is a scalar
    assert np.array_equal(z[:5], 2 * x[:5]) and not z[5:].any()


def test_load_errors():
    e = raises(ptk.Error, ptk.load, "kernel f(x: ptr<f32>) {\n  let a = ;\n}\n",
               contains=["<string>.ptk:2:11: error:", "let a = ;"])
    assert (e.file, e.line, e.column, e.code) == ("<string>.ptk", 2, 11, "compile")
    e = raises(ptk.Error, ptk.load, "/nonexistent/k.ptk", contains="/nonexistent/k.ptk")
    assert e.code == "io"
    e = raises(ptk.Error, ptk.load, sample("vadd.ptk"), consts={"NOPE": 1}, contains="NOPE")
    assert e.code == "compile" and e.file is None  # "ptk: error: …" has no location
    e = raises(ptk.Error, ptk.load, sample("vadd.ptk"), entry="nope", contains="nope")
    raises(ValueError, ptk.load, sample("vadd.ptk"), engine="llvm", contains="engine")
    raises(ValueError, ptk.load, sample("vadd.ptk"), target="a9", contains="target")
    raises(TypeError, ptk.load, sample("vadd.ptk"), consts={"TILE": [1]}, contains="TILE")
    raises(TypeError, ptk.load, 42, contains="path_or_text")
    assert isinstance(e, Exception) and str(e) == e.message


def test_out_of_bounds_raises_and_never_corrupts():
    k = vadd()
    buf = np.full(64 + 16, 123.0, np.float32)  # z is buf[:50]; the rest is a sentinel
    x = np.ones(64, np.float32)
    e = raises(ptk.Error, k, x, x, buf[:50], 64, blocks=2,
               contains=["out-of-bounds", "vadd.ptk:"])
    assert e.code == "launch" and e.file == sample("vadd.ptk") and e.line > 0 and e.column > 0
    assert (buf[50:] == 123.0).all(), "memory after the array was written"
    e = raises(ptk.Error, k, x[:10], x, np.zeros(64, np.float32), 64, contains="out-of-bounds")
    for eng in ("interp", "jit"):
        kj = ptk.load(sample("vadd.ptk"), consts={"TILE": 64}, engine=eng)
        buf[:] = 123.0
        raises(ptk.Error, kj, x, x, buf[:50], 64, contains="out-of-bounds")
        assert (buf[50:] == 123.0).all()


def test_call_errors():
    k = ptk.load(sample("rmsnorm.ptk"), consts={"CHUNK": 64, "NCHUNK": 3, "TR": 8})
    x = np.ones((4, 192), np.float32)
    g = np.ones((1, 192), np.float32)
    y = k.call(x, g, 4)  # shape from the view: rows x CHUNK*NCHUNK
    assert y.shape == (4, 192)
    raises(ValueError, k.call, x, g, 4, out_shapes={"x": (4, 192)},
           contains=["'x' is not an out parameter", "out parameters: y"])
    raises(ValueError, k.call, x, g, 4, out_shapes={"y": (-1, 4)}, contains="negative")
    raises(TypeError, k.call, x, g, 4, out_shapes={"y": "big"}, contains="out_shapes['y']")
    y2 = k.call(x, g, 4, out_shapes={"y": (4 * 192,)})
    assert y2.shape == (768,) and np.array_equal(y2, y.reshape(-1))


UNKNOWN_SHAPE = """
kernel copy(x: ptr<f32> in, y: ptr<f32> out, n: i32, m: i32) {
  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);
  let yv = make_tensor_view(y, shape = [1, m], strides = [m, 1]);
  let t = alloc_tile(shape = [1, 16], dtype = f32, loc = vec);
  tload(xv[0:1, 0:16], t);
  tstore(t, yv[0:1, 0:16]);
}
"""


def test_call_unknown_shape():
    k = ptk.load(UNKNOWN_SHAPE)
    x = np.arange(16, dtype=np.float32)
    y = k.call(x, 16, 16)  # m is a scalar input: known before the launch
    assert y.shape == (1, 16) and np.array_equal(y[0], x)
    y = k.call(x, 16, 16, out_shapes={"y": (4, 4)})
    assert y.shape == (4, 4) and np.array_equal(y.reshape(-1), x)
    # Too small for the 16 elements the kernel stores: an error, nothing written outside.
    raises(ptk.Error, k.call, x, 16, 16, out_shapes={"y": (8,)}, contains="out-of-bounds")
