"""The shared tile corpus (../shared/corpus/pto, see its INDEX.md) through
the Python API: each case's kernel.pto loaded with its entry, launched on
its inputs and compared with its expected outputs (numpy allclose; bf16
widened to f32). tests/run.sh runs the same corpus through `ptk run` only
when the folder exists; so does this test, and it fails when the folder
exists but holds no case."""

import json
import os

import numpy as np

import ptk
from util import ROOT

CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "pto")


def widen(a, dtype):
    if dtype == "bf16":
        return (a.astype(np.uint32) << 16).view(np.float32)
    return a


def run_case(d):
    with open(os.path.join(d, "case.json")) as f:
        case = json.load(f)
    k = ptk.load(os.path.join(d, "kernel.pto"), entry=case["entry"])
    assert len(k.params) == len(case["params"]), case["id"]
    args, ptrs = [], []
    for i, p in enumerate(case["params"]):
        name = p["name"].lstrip("%")
        assert k.params[i].name == name, (case["id"], k.params[i].name, name)
        if p["kind"] == "ptr":
            a = np.ascontiguousarray(np.load(os.path.join(d, "in", "%d_%s.npy" % (i, name))))
            args.append(a)
            ptrs.append((i, name, p, a))
        else:
            args.append(p["value"])
    k(*args, blocks=case.get("blocks", 1))
    for i, name, p, a in ptrs:
        exp = np.load(os.path.join(d, "expected", "%d_%s.npy" % (i, name)))
        got, want = widen(a, p["dtype"]), widen(exp, p["dtype"])
        rtol, atol = p.get("rtol", case["rtol"]), p.get("atol", case["atol"])
        ok = np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol)
        assert ok, "%s: %s differs from expected (max abs err %g)" % (
            case["id"], name, float(np.max(np.abs(got.astype(np.float64) - want))))


def test_corpus():
    if not os.path.isdir(CORPUS):
        print("  (python/test_corpus: %s not present; as for the corpus suite, nothing to run)"
              % CORPUS)
        return
    cases = sorted(c for c in os.listdir(CORPUS) if os.path.isfile(
        os.path.join(CORPUS, c, "case.json")))
    assert cases, "no case in %s" % CORPUS
    failures = []
    for c in cases:
        try:
            run_case(os.path.join(CORPUS, c))
        except Exception as e:  # collect every failing case
            failures.append("%s: %s" % (c, e))
    assert not failures, "\n".join(failures)
    assert len(cases) >= 14
