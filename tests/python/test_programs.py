"""Programs from Python: ptk.load of a file or text that declares a program
returns a ptk.Program, called in place or return-style like a kernel."""

import numpy as np

import ptk
from util import sample

AXPY2 = """
const ALPHA = 2.0;
const TILE = 64;
kernel axpy(x: ptr<f32> in, y: ptr<f32> in, z: ptr<f32> out, a: f32, n: i32) {
  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);
  let yv = make_tensor_view(y, shape = [1, n], strides = [n, 1]);
  let zv = make_tensor_view(z, shape = [1, n], strides = [n, 1]);
  for off in range(block_idx() * TILE, n, block_num() * TILE) {
    let tx = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);
    let ty = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);
    tload(xv[0:1, off:off + TILE], tx);
    tload(yv[0:1, off:off + TILE], ty);
    tmuls(tx, a, tx);
    tadd(tx, ty, tx);
    tstore(tx, zv[0:1, off:off + TILE]);
  }
}
program axpy2(x: tensor<f32>[N] in, y: tensor<f32>[N] in, z: tensor<f32>[N] out) {
  let t = alloc_tensor(shape = [N], dtype = f32);
  launch axpy(x, y, t, ALPHA, N, blocks = 4);
  launch axpy(t, y, z, ALPHA, N, blocks = 4);
}
"""


def test_vector_dag_file():
    p = ptk.load(sample("programs/vector_dag.ptk"))
    assert isinstance(p, ptk.Program)
    assert p.name == "vector_dag"
    assert [(q.name, q.direction, q.shape) for q in p.params] == [("f", "out", (128, 128))]
    f = p.call()
    assert f.shape == (128, 128) and f.dtype == np.float32
    assert (f == 47).all()
    assert p.ntasks == 7
    g = np.zeros((128, 128), np.float32)
    p(g)
    assert (g == 47).all()


def test_text_consts_dynamic_both_engines():
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, 64 * 9).astype(np.float32)
    y = rng.uniform(-2, 2, 64 * 9).astype(np.float32)
    for engine in ("interp", "jit"):
        p = ptk.load(AXPY2, consts={"ALPHA": 3}, engine=engine)
        assert p.params[0].shape == ("N",)
        z = p.call(x, y)
        t = np.float32(3) * x + y
        assert np.array_equal(z, np.float32(3) * t + y)
        z2 = np.zeros_like(x)
        p(x, y, z2)
        assert np.array_equal(z, z2)


def test_errors():
    p = ptk.load(AXPY2)
    try:
        p.call(np.zeros(64, np.float32), np.zeros(128, np.float32))
        raise AssertionError("expected ptk.Error")
    except ptk.Error as e:
        assert "argument 2 ('y'): dimension 0 is 128 but N is already 64" in str(e)
    try:
        ptk.load(AXPY2, consts={"BETA": 1})
        raise AssertionError("expected ptk.Error")
    except ptk.Error as e:
        assert "const binding BETA=1: the program's file has no module-level 'const BETA = …;'" in str(e)
    try:
        p.call(np.zeros(64, np.float32))
        raise AssertionError("expected TypeError")
    except TypeError as e:
        assert "axpy2 .call() takes 2 arguments" in str(e)
