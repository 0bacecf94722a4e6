"""Helpers of the Python tests (imported by the test modules)."""

import os

import numpy as np

import ptk  # noqa: F401  (imported here so a broken package fails every module)

ROOT = os.environ.get("PTK_TEST_ROOT", os.getcwd())
BUILD = os.environ.get("PTK_TEST_BUILD", os.path.join(ROOT, "build"))


def sample(name):
    return os.path.join(ROOT, "samples", name)


def rng(seed):
    return np.random.default_rng(seed)


def check_close(got, ref, rtol, atol, what):
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert got.shape == ref.shape, "%s: shape %s, expected %s" % (what, got.shape, ref.shape)
    bad = ~np.isclose(got, ref, rtol=rtol, atol=atol)
    if bad.any():
        i = np.argwhere(bad)[0]
        raise AssertionError("%s: %d elements differ; first at %s: got %r, expected %r" % (
            what, int(bad.sum()), tuple(i), got[tuple(i)], ref[tuple(i)]))


def raises(exc, fn, *a, contains=(), **kw):
    """Calls fn and returns the exception of type exc it raised; each string
    of `contains` must be in its message."""
    try:
        fn(*a, **kw)
    except exc as e:
        msg = str(e)
        for c in ([contains] if isinstance(contains, str) else contains):
            assert c in msg, "expected %r in the %s message:\n%s" % (c, exc.__name__, msg)
        return e
    raise AssertionError("expected %s from %s" % (exc.__name__, getattr(fn, "__name__", fn)))
