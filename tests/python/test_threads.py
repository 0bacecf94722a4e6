"""One kernel object launched from several Python threads at once (the GIL
is released during launches: the library is a ctypes.CDLL), and loads from
several threads."""

import threading

import numpy as np

import ptk
from ptk import _lib
from util import sample


def test_library_releases_the_gil():
    # ctypes releases the GIL around calls through CDLL, never PyDLL.
    assert type(_lib.lib) is ptk._lib.ctypes.CDLL


def run_threads(fn, n):
    errors = []

    def wrap(i):
        try:
            fn(i)
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    ts = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


def test_same_kernel_from_threads():
    for engine in ("interp", "jit"):
        k = ptk.load(sample("softmax.ptk"), consts={"COLS": 64, "TR": 8}, engine=engine)
        x = np.random.default_rng(1).uniform(-5, 5, (40, 64)).astype(np.float32)
        want = k.call(x, 40, blocks=2)
        results = {}

        def work(i):
            for rep in range(6):
                y = np.zeros_like(x)
                k(x, y, 40, blocks=1 + (i + rep) % 4)
                results[(i, rep)] = y
                assert np.array_equal(k.call(x, 40, blocks=3), want)

        run_threads(work, 8)
        assert len(results) == 48
        for y in results.values():
            assert np.array_equal(y, want), "a threaded launch differs (%s)" % engine


def test_loads_from_threads():
    got = {}

    def work(i):
        k = ptk.load(sample("vadd.ptk"), consts={"TILE": 32 * (1 + i % 3)})
        x = np.arange(100 + i, dtype=np.float32)
        got[i] = (k, np.array_equal(k.call(x, x, 100 + i, blocks=2)[0], 2 * x))

    run_threads(work, 9)
    assert all(ok for _, ok in got.values())
    assert repr(got[0][0]) == repr(got[3][0])


def test_errors_from_threads():
    k = ptk.load(sample("vadd.ptk"), consts={"TILE": 64})

    def work(i):
        x = np.ones(64, np.float32)
        try:
            k(x, x, np.zeros(10 + i, np.float32), 64, blocks=2)
        except ptk.Error as e:
            assert "out-of-bounds" in str(e) and e.line is not None
        else:
            raise AssertionError("no error")

    run_threads(work, 6)
