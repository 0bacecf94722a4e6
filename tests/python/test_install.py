"""The library as installed: exported symbols (only runtime/ptk.h's API),
the soname, ptk(1) against `ptk --help`, `make install PREFIX=tmp` (binary,
both libraries, header, ptk.pc, stdlib, man page, Python package),
samples/c built through pkg-config against the shared and the static
library, `make uninstall` removing every file, and `pip install ./python`
into a temporary virtual environment."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

from util import BUILD, ROOT

SAN = os.environ.get("PTK_TEST_SAN", "")
SANFLAGS = os.environ.get("PTK_TEST_SANFLAGS", "").split()


def sh(args, **kw):
    env = dict(os.environ)
    for v in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS"):
        env.pop(v, None)
    env.update(kw.pop("env", {}))
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                       universal_newlines=True, **kw)
    assert p.returncode == 0, "%s failed (%d):\n%s" % (" ".join(args), p.returncode, p.stdout)
    return p.stdout


def header_api():
    text = open(os.path.join(ROOT, "runtime", "ptk.h")).read()
    api = set(re.findall(r"^PTK_API [^;(]*?\b(ptk_\w+)\(", text, re.M))
    # every prototype at the start of a line is marked PTK_API
    protos = re.findall(r"^(?!PTK_API|static|typedef|#|/|\s)[^;{}()]*\b(ptk_\w+)\(", text, re.M)
    return api, protos


def test_exported_symbols_are_the_public_api():
    api, unmarked = header_api()
    assert not unmarked, "prototypes in ptk.h without PTK_API: %s" % unmarked
    assert len(api) >= 20 and "ptk_launch" in api
    out = sh(["nm", "-D", "--defined-only", os.path.join(BUILD, "libptk.so.0")])
    syms = {l.split()[-1] for l in out.splitlines() if l.split()[1:2] in (["T"], ["W"], ["D"],
                                                                       ["B"], ["R"], ["i"])}
    syms = {s for s in syms if not s.startswith("__") and s not in ("_init", "_fini")}
    if SAN:  # the sanitizer runtime's hooks
        syms = {s for s in syms if s.startswith("ptk")}
    assert syms == api, "exported but not in ptk.h: %s; in ptk.h but not exported: %s" % (
        sorted(syms - api), sorted(api - syms))


def test_soname():
    out = sh(["readelf", "-d", os.path.join(BUILD, "libptk.so")])
    assert "Library soname: [libptk.so.0]" in out, out
    assert os.path.realpath(os.path.join(BUILD, "libptk.so")).endswith("libptk.so.0.1.0")


def man_blocks(text):
    """The .nf … .fi blocks of a man page, un-escaped."""
    blocks = re.findall(r"^\.nf\n(.*?)^\.fi$", text, re.M | re.S)
    return [re.sub(r"^\\&", "", b, flags=re.M).replace("\\e", "\\") for b in blocks]


def test_man_page_is_the_help_text():
    ptk = os.path.join(BUILD, "ptk")
    man = open(os.path.join(BUILD, "ptk.1")).read()
    assert man.startswith(".\\\"") and "\n.TH PTK 1 " in man
    help_ = sh([ptk, "--help"])
    cmds = re.findall(r"^  ([a-z]+) ", help_.split("commands:")[1], re.M)
    assert "run" in cmds and len(cmds) >= 7
    want = [help_] + [sh([ptk, c, "--help"]) for c in cmds]
    assert man_blocks(man) == want
    for c in cmds:
        assert '.SS "ptk %s"' % c in man


def test_make_install_pkg_config_uninstall():
    tmp = tempfile.mkdtemp(prefix="ptk-install-")
    try:
        prefix = os.path.join(tmp, "prefix")
        mk = ["make", "--no-print-directory", "-C", ROOT, "BUILD=" + BUILD, "PREFIX=" + prefix]
        if SAN:
            mk.append("SAN=" + SAN)
        sh(mk + ["install"])
        lib = os.path.join(prefix, "lib")
        pyver = "python%d.%d" % sys.version_info[:2]
        for f in ["bin/ptk", "lib/libptk.a", "lib/libptk.so.0.1.0", "lib/libptk.so.0",
                  "lib/libptk.so", "include/ptk.h", "lib/pkgconfig/ptk.pc",
                  "share/man/man1/ptk.1", "share/ptk/stdlib/nn.ptk",
                  "lib/%s/dist-packages/ptk/__init__.py" % pyver,
                  "lib/%s/dist-packages/ptk/_install.py" % pyver]:
            assert os.path.exists(os.path.join(prefix, f)), "not installed: " + f
        assert open(os.path.join(prefix, "share/man/man1/ptk.1")).read() == open(
            os.path.join(BUILD, "ptk.1")).read()
        assert sh([os.path.join(prefix, "bin/ptk"), "--version"]).startswith("ptk 0.1.0")
        env = {"PKG_CONFIG_PATH": os.path.join(lib, "pkgconfig")}
        assert sh(["pkg-config", "--modversion", "ptk"], env=env).strip() == "0.1.0"
        cflags = sh(["pkg-config", "--cflags", "ptk"], env=env).split()
        libs = sh(["pkg-config", "--libs", "ptk"], env=env).split()
        assert cflags == ["-I" + os.path.join(prefix, "include")], cflags
        assert libs == ["-L" + lib, "-lptk"], libs
        static = sh(["pkg-config", "--static", "--libs", "ptk"], env=env).split()
        for l in ("-lpcre2-8", "-ljansson", "-lm", "-lpthread", "-ldl"):
            assert l in static, static
        src = os.path.join(ROOT, "samples", "c", "vadd_launch.c")
        vadd = os.path.join(ROOT, "samples", "vadd.ptk")
        # against the shared library
        exe = os.path.join(tmp, "vadd_shared")
        sh(["cc", "-std=gnu11", "-Wall", "-Werror"] + SANFLAGS + cflags +
           ["-o", exe, src] + libs + ["-Wl,-rpath," + lib])
        needed = sh(["readelf", "-d", exe])
        assert "[libptk.so.0]" in needed, needed
        sh([exe, vadd])
        # against the static library (the private dependencies from --static)
        exe = os.path.join(tmp, "vadd_static")
        priv = [l for l in static if l not in ("-lptk",) and not l.startswith("-L")]
        sh(["cc", "-std=gnu11", "-Wall", "-Werror"] + SANFLAGS + cflags +
           ["-o", exe, src, "-L" + lib, "-Wl,-Bstatic", "-lptk", "-Wl,-Bdynamic"] + priv)
        assert "libptk" not in sh(["readelf", "-d", exe])
        sh([exe, vadd])
        # the installed Python package finds the installed library by itself
        penv = {"PYTHONPATH": os.path.join(lib, pyver, "dist-packages")}
        code = ("import os, sys, numpy as np, ptk\n"
                "assert 'PTK_LIBRARY' not in os.environ\n"
                "print(ptk.__file__); print(ptk._lib.path)\n"
                "k = ptk.load(%r, consts={'TILE': 64})\n"
                "x = np.arange(300, dtype=np.float32)\n"
                "assert np.array_equal(k.call(x, x, 300, blocks=3)[0], 2 * x)\n" % vadd)
        env2 = dict(os.environ)
        env2.pop("PTK_LIBRARY", None)
        env2.update(penv)
        p = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, env=env2, cwd=tmp)
        assert p.returncode == 0, p.stdout
        assert p.stdout.split("\n")[1] == os.path.join(lib, "libptk.so.0"), p.stdout
        # uninstall removes every file install wrote
        sh(mk + ["uninstall"])
        left = []
        for d, _, files in os.walk(prefix):
            left += [os.path.join(d, f) for f in files]
        assert not left, "left after uninstall: %s" % left
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_pip_install_into_venv():
    tmp = tempfile.mkdtemp(prefix="ptk-venv-")
    try:
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(ROOT, "python"), src,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build",
                                                      "_install.py"))
        venv = os.path.join(tmp, "venv")
        sh(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv])
        py = os.path.join(venv, "bin", "python")
        sh([py, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--quiet", src],
           env={"PIP_DISABLE_PIP_VERSION_CHECK": "1"}, cwd=tmp)
        code = ("import numpy as np, ptk\n"
                "print(ptk.__file__)\n"
                "k = ptk.load(%r, consts={'COLS': 64})\n"
                "x = np.random.default_rng(0).uniform(-4, 4, (19, 64)).astype(np.float32)\n"
                "y = k.call(x, 19, blocks=2)\n"
                "e = np.exp(x - x.max(1, keepdims=True))\n"
                "assert np.allclose(y, e / e.sum(1, keepdims=True), rtol=1e-5, atol=1e-7)\n"
                % os.path.join(ROOT, "samples", "softmax.ptk"))
        out = sh([py, "-c", code], cwd=tmp)
        assert out.startswith(os.path.join(venv, "lib")), out
        sh([py, "-m", "pip", "uninstall", "--yes", "--quiet", "ptk"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
