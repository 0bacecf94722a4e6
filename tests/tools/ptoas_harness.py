"""Shared pieces of the drivers that run PTOAS test kernels through `ptk run`
and judge them with PTOAS's own golden/compare scripts (tilelang_st.py,
ptoas_samples.py): reading the PTOAS git directory, the .pto signature,
one-function copies of a module, the ptk invocation and the result table."""
import os, re, subprocess
import numpy as np

# .pto element type -> numpy dtype name (bf16 travels as uint16, as ptk writes it)
DT = {"f32": "float32", "f16": "float16", "bf16": "uint16", "i8": "int8", "ui8": "uint8", "si8": "int8",
      "i16": "int16", "ui16": "uint16", "si16": "int16", "i32": "int32", "ui32": "uint32", "si32": "int32",
      "i64": "int64", "ui64": "uint64", "f64": "float64", "u8": "uint8", "u16": "uint16", "u32": "uint32",
      "i1": "bool"}
# .pto element type -> the DTYPE of a `ptk run` zeros:/rand: argument
PTK_DT = {"ui8": "u8", "si8": "i8", "ui16": "u16", "si16": "i16", "ui32": "u32", "si32": "i32",
          "ui64": "u64", "si64": "i64", "i1": "bool"}


def ptr_et(t):
    """Element type of a !pto.ptr<...> parameter; 8-bit float formats numpy lacks become ui8."""
    et = re.match(r"!pto\.ptr<!?(?:pto\.)?(\w+)", t).group(1)
    return et if et in DT else "ui8" if re.search(r"f8|hif8|f4", et, re.I) else et


def zeros_arg(et, numel):
    return "zeros:%s:%d" % (PTK_DT.get(et, et), numel)


class Git:
    """Read-only access to HEAD of a (bare) PTOAS git directory."""

    def __init__(self, gitdir):
        self.gitdir = gitdir

    def _run(self, *a):
        return subprocess.run(["git", "--git-dir", self.gitdir] + list(a), capture_output=True, check=True).stdout

    def show(self, path):
        return self._run("show", "HEAD:" + path)

    def ls(self, path):
        return self._run("ls-tree", "--name-only", "HEAD:" + path).decode().split()

    def copy_dir(self, path, dst, names=None):
        """Copy the files of PTOAS folder `path` (or only `names`) into dst; return the names."""
        os.makedirs(dst, exist_ok=True)
        names = self.ls(path) if names is None else names
        for n in names:
            try:
                data = self.show(path + "/" + n)
            except subprocess.CalledProcessError:  # a sub-folder
                continue
            open(os.path.join(dst, n), "wb").write(data)
        return names


def split_top(s, sep=","):
    """Split s at sep outside <>, (), [] and {}."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        elif ch == sep and depth == 0:
            out.append(s[start:i])
            start = i + 1
    out.append(s[start:])
    return [x.strip() for x in out if x.strip()]


def funcs(pto):
    """{function name: [(parameter name without %, type text)]} of every func.func, in order."""
    out = {}
    for m in re.finditer(r"func\.func\s+(?:private\s+)?@(\w+)\s*\(", pto):
        depth, i = 1, m.end()
        while depth and i < len(pto):
            depth += {"(": 1, ")": -1}.get(pto[i], 0)
            i += 1
        params = []
        for p in split_top(pto[m.end(): i - 1]):
            pm = re.match(r"%([\w$.-]+)\s*:\s*(.*?)(?:\s*\{.*\})?$", p, re.S)
            if pm:
                params.append((pm.group(1), " ".join(pm.group(2).split())))
        out[m.group(1)] = params
    return out


def function_body(pto, f):
    """The text of func.func @f up to (not including) the next func.func or the module's end."""
    i0 = pto.index("func.func @" + f + "(")
    i0 = pto.rfind("\n", 0, i0) + 1
    nxt = pto.find("func.func @", i0 + 10)
    if nxt > 0:
        return pto[i0: pto.rfind("\n", 0, nxt) + 1]
    return pto[i0: pto.rstrip().rfind("}")]


def single_function_module(pto, f, body=None):
    """A module holding only func @f (so a sibling ptk refuses does not block it), with
    the original module header (its attributes: target arch, kernel kind)."""
    hdr = re.search(r"^module[^\n]*\{", pto, re.M)
    return (hdr.group(0) if hdr else "module {") + "\n" + (body or function_body(pto, f)) + "\n}\n"


def ptk_run(ptk, pto_path, args, out_dir, entry=None, engine=None, target=None, timeout=600):
    """Run `ptk run`; return None on success, else the first line of its error."""
    cmd = [ptk, "run", pto_path]
    if entry:
        cmd += ["--entry", entry]
    if engine:
        cmd += ["--engine", engine]
    if target:
        cmd += ["--target", target]
    cmd += ["--out", out_dir, "--"] + list(args)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "ptk timeout after %ds" % timeout
    if r.returncode:
        lines = [ln for ln in r.stderr.strip().splitlines() if "error" in ln] or r.stderr.strip().splitlines() or ["?"]
        return "ptk error: " + lines[0][:200]
    return None


def ptk_output(out_dir, k):
    """The final contents of pointer parameter k that `ptk run --out` wrote."""
    f = [x for x in os.listdir(out_dir) if x.startswith("%d_" % k) and x.endswith(".npy")][0]
    return np.load(os.path.join(out_dir, f)).reshape(-1)


def compare_message(r):
    msg = [ln for ln in (r.stdout + r.stderr).strip().splitlines() if ln.strip()]
    return "PASS" if r.returncode == 0 else "FAIL " + " | ".join(msg[:3])[:300]


class Table:
    """One printed line per case and the totals: PASS, FAIL (the compare
    script's message) or another reason the case did not run."""

    def __init__(self, widths=(22, 40)):
        self.widths = widths
        self.tot = {"PASS": 0, "FAIL": 0, "other": 0}

    def add(self, *cols):
        *keys, status = cols
        print(" ".join("%-*s" % (w, c) for w, c in zip(self.widths, keys)), status, flush=True)
        self.tot["PASS" if status == "PASS" else "FAIL" if status.startswith("FAIL") else "other"] += 1

    def total(self):
        print("TOTAL", self.tot)
