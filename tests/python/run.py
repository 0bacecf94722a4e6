"""The Python test suite: every test_* function of tests/python/test_*.py,
named python/<module>.<function>. Usage:

    run.py --build BUILD [-k REGEX] [--summary FILE]

Writes "PASSED FAILED" to FILE (tests/run.sh folds it into the one summary
line) and prints each failure. The package under test is python/ptk over
BUILD/libptk.so.0 ($PTK_LIBRARY). Nothing is skipped: a missing numpy or a
library that does not load is a failing test, never a pass."""

import argparse
import importlib
import os
import re
import shutil
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("-k", default="")
    ap.add_argument("--summary")
    o = ap.parse_args()
    build = os.path.abspath(o.build)
    os.environ["PTK_LIBRARY"] = os.path.join(build, "libptk.so.0")
    os.environ["PTK_TEST_BUILD"] = build
    os.environ["PTK_TEST_ROOT"] = ROOT
    cache = tempfile.mkdtemp(prefix="ptk-pytest-cache-")
    os.environ["PTK_CACHE_DIR"] = cache  # JIT builds: never ~/.cache
    sys.path.insert(0, os.path.join(ROOT, "python"))
    sys.path.insert(0, HERE)
    os.chdir(ROOT)
    sel = re.compile(o.k) if o.k else None

    tests, broken = [], []
    for f in sorted(os.listdir(HERE)):
        if not (f.startswith("test_") and f.endswith(".py")):
            continue
        mod = f[:-3]
        try:
            m = importlib.import_module(mod)
        except Exception:  # numpy or libptk missing, or a broken test file
            broken.append(("python/%s" % mod, traceback.format_exc()))
            continue
        for name in sorted(dir(m)):
            fn = getattr(m, name)
            if name.startswith("test_") and callable(fn):
                tests.append(("python/%s.%s" % (mod, name[5:]), fn))

    passed = failed = 0
    for name, tb in broken:
        if sel and not sel.search(name):
            continue
        print("FAIL %s: the test module cannot be imported\n%s" % (name, tb))
        failed += 1
    for name, fn in tests:
        if sel and not sel.search(name):
            continue
        try:
            fn()
            passed += 1
        except Exception:
            failed += 1
            print("FAIL %s\n%s" % (name, traceback.format_exc()))
    shutil.rmtree(cache, ignore_errors=True)
    print("[python] %d run, %d failing" % (passed + failed, failed))
    if o.summary:
        with open(o.summary, "w") as f:
            f.write("%d %d\n" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
