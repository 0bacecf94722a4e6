#!/usr/bin/python3
"""Run the PTOAS sample kernels that have a golden script (test/samples/<Dir>/
<case>_golden.py next to a checked-in .pto) through `ptk run`, with both
engines, and judge the results with the sample's own compare script. Not part
of `make test`: it needs a PTOAS git directory (for example from a bare clone)
and numpy (Debian's /usr/bin/python3).

usage: ptoas_samples.py PTK GITDIR OUTROOT [Dir | Dir/case ...]

PTOAS's board harness (test/npu_validation/scripts/generate_testcase.py) turns
the C++ that ptoas generates into a main.cpp; the golden scripts read that
main.cpp (elemCount_*, fileSize_* with host types, the ReadFile order, scalar
assignments) and outputs.txt through test/samples/validation_runtime.py. This
driver derives the same facts from the .pto kernel with the same rules:
- parameters are v1..vN in order; every pointer is a data buffer except one
  that only feeds pto.make_prefetch_async_context (SDMA workspace) or
  pto.set_ffts (runtime address): those get a zeroed buffer, no file;
- outputs: the pointers a tstore writes (through make_tensor_view /
  partition_view), else the last data pointer;
- a pointer's element count: the most any tload/tstore partition of it reaches,
  1 + sum((size-1)*stride) + sum(offset*stride), loop indices and integer
  values at their largest (scf.for ranges, arith ops, scalars at their
  defaults); else rows*cols of the kernel's first static partition (its two
  innermost sizes), else 32*32; then the harness's per-case minimums
  (CASE_POINTER_COUNT_MINIMUMS). Dynamic sizes count at their largest value,
  where the C++ rule drops them (so a buffer is never smaller than the kernel
  reaches: ptk checks every access);
- scalars: integers 1 (the harness's per-case overrides: DeepSeek's v4=0,
  v5=32), floats 1.0, i1 true; one block per launch;
- a mixed kernel (<case>_aic and <case>_aiv in one module) runs with
  --entry <case>_aic: ptk runs both halves together (runtime/mix.c); its
  parameters and outputs are the vector half's.
Without a <case>_compare.py the compare script is the harness's
compare_template.py (read from GITDIR) with the lines generate_testcase.py
writes (bf16: 1 ulp, f32: 1e-4, f16: 1e-2, others exact; a prefix when the
buffer is larger than the kernel's reach).

Kernels found by name: <case>.pto or <case>-pto.pto. Two golden scripts have no
.pto of their own: VectorAddition's vectorAddition and vadd_pto_ir (both build
vadd.pto's kernel) and Partition5D's partition5d_a5, whose generator differs
from partition5d's only in the tile's memory (vec, not mat): it runs
partition5d.pto with loc=mat made loc=vec.

For every case OUTROOT/<Dir>/<case>/ holds main.cpp, outputs.txt, the golden
script's inputs and golden_*.bin, the kernel (kernel.pto), and per engine
(interp/, jit/) ptk's outputs and the compare script's run. A module whose
target is a5 (pto.target_arch, or a *A5 directory, which runop.sh compiles
with --pto-arch a5) runs with --target a5 and SOC_VERSION=Ascend950.
Prints one line per case and engine: PASS, FAIL (the compare script's
message; "engines differ" when the interpreter's and the JIT's outputs are not
the same bytes) or why it could not run; then the totals.
"""
import os, re, shutil, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptoas_harness import DT, Git, Table, compare_message, funcs, ptk_output, ptk_run, ptr_et, zeros_arg

SAMPLES = "test/samples"
TEMPLATES = "test/npu_validation/templates"
ENGINES = ("interp", "jit")

# golden scripts whose kernel is not <case>.pto / <case>-pto.pto: (file, rewrite)
ALIASES = {
    ("VectorAddition", "vectorAddition"): ("vadd.pto", None),
    ("VectorAddition", "vadd_pto_ir"): ("vadd.pto", None),
    ("Partition5D", "partition5d_a5"): ("partition5d.pto", lambda t: t.replace("loc=mat", "loc=vec")),
}

# generate_testcase.py's per-case tables (facts of the board harness)
DEEPSEEK_V4 = ("attention_csa_test_refresh_incore_81", "attention_hca_test_incore_54",
               "attention_swa_test_incore_40", "decode_csa_test_incore_81", "decode_hca_test_incore_54",
               "decode_swa_test_incore_40", "sparse_attn_test_incore_7")
# cases whose custom golden the harness does not use on A3 boards (known not to match there)
UNSTABLE_A3 = ("abs", "partmin", "prelu", "rope_kv_cache", "rowexpanddiv", "rowexpandmul", "rowexpandsub",
               "scatter", "sel", "sels", "sub", "xor")
INT_DEFAULTS = {c: {"v4": 0, "v5": 32} for c in DEEPSEEK_V4}
COUNT_MINIMUMS = dict({c: {"v1": 1024 * 4096, "v2": 8192 * 64, "v3": 8192 * 64} for c in DEEPSEEK_V4},
                      down_proj_residual={"v1": 123648, "v2": 123648},
                      out_proj_residual={"v1": 123648, "v2": 123648},
                      tquant_mx={"v3": 32, "v4": 32, "v5": 32})

# .pto element type -> the host C type the harness writes in main.cpp
HOST = {"f32": "float", "f16": "aclFloat16", "bf16": "uint16_t", "f64": "double", "i1": "bool",
        "i8": "int8_t", "si8": "int8_t", "ui8": "uint8_t", "i16": "int16_t", "si16": "int16_t",
        "ui16": "uint16_t", "i32": "int32_t", "si32": "int32_t", "ui32": "uint32_t",
        "i64": "int64_t", "si64": "int64_t", "ui64": "uint64_t", "index": "int64_t"}

SSA = r"%([\w$.-]+)"


def host_type(et):
    if et in HOST:
        return HOST[et]
    return "uint8_t"  # f8 / hif8 / f4 formats: bytes on the host


# ---- integer values at their largest (generate_testcase.py's _infer_int_var_maxima) ----

def _arith(op, v):
    a = v[0]
    b = v[1] if len(v) > 1 else None
    if op in ("index_cast", "index_castui", "extsi", "extui", "trunci", "bitcast"):
        return a
    if op == "select":
        return max(v[1], v[2])
    if op == "cmpi":
        return 1
    f = {"addi": lambda: a + b, "subi": lambda: a - b, "muli": lambda: a * b,
         "divsi": lambda: a // b if b else None, "divui": lambda: a // b if b else None,
         "floordivsi": lambda: a // b if b else None,
         "ceildivsi": lambda: -(-a // b) if b else None, "ceildivui": lambda: -(-a // b) if b else None,
         "remsi": lambda: a % b if b else None, "remui": lambda: a % b if b else None,
         "maxsi": lambda: max(a, b), "maxui": lambda: max(a, b), "minsi": lambda: min(a, b),
         "minui": lambda: min(a, b), "andi": lambda: a & b, "ori": lambda: a | b, "xori": lambda: a ^ b,
         "shli": lambda: a << b, "shrsi": lambda: a >> b, "shrui": lambda: a >> b}.get(op)
    return f() if f else None


def int_maxima(text, seed):
    """{ssa name: its largest value} over constants, arith ops and scf.for indices."""
    env = dict(seed)
    defs = []
    for m in re.finditer(SSA + r"\s*=\s*arith\.(\w+)\s+([^\n]*)", text):
        name, op, rest = m.groups()
        if op == "constant":
            c = re.match(r"(-?\d+|true|false)\s*:\s*(index|i\d+)\b", rest)  # integers only
            if c:
                env[name] = {"true": 1, "false": 0}.get(c.group(1), None)
                env[name] = int(c.group(1)) if env[name] is None else env[name]
            continue
        ops = re.findall(SSA, rest.split(":")[0])
        defs.append((name, op, ops))
    loops = re.findall(r"scf\.for\s+" + SSA + r"\s*=\s*" + SSA + r"\s+to\s+" + SSA + r"\s+step\s+" + SSA, text)
    for _ in range(64):
        changed = False
        for name, op, ops in defs:
            if not ops or any(o not in env for o in ops):
                continue
            try:
                val = _arith(op, [env[o] for o in ops])
            except (IndexError, TypeError):
                val = None
            if val is not None and (name not in env or val > env[name]):
                env[name], changed = val, True
        for iv, lb, ub, st in loops:
            if lb in env and ub in env and st in env and env[st] > 0:
                top = env[lb] if env[ub] <= env[lb] else env[lb] + (env[ub] - env[lb] - 1) // env[st] * env[st]
                if iv not in env or top > env[iv]:
                    env[iv], changed = top, True
        if not changed:
            break
    return env


# ---- the kernel's buffers, as the harness's main.cpp describes them ----

def _list(s):
    return [x.strip() for x in s.split(",") if x.strip()]


def describe(pto, case):
    """The main.cpp facts of the kernel: [param dicts], [output names], launch entry."""
    fs = funcs(pto)
    halves = {n[:-4] for n in fs if n.endswith("_aic")} & {n[:-4] for n in fs if n.endswith("_aiv")}
    if halves:  # a mixed kernel: the vector half's parameters; its stores are the outputs
        base = sorted(halves)[0]
        params, writers, texts = fs[base + "_aiv"], [base + "_aiv"], [base + "_aic", base + "_aiv"]
    else:
        f = [f for f in fs if "func.func @" + f + "(" in pto][0]  # the first with a body
        params, writers, texts = fs[f], [f], [f]
    names = {p: "v%d" % (i + 1) for i, (p, _) in enumerate(params)}
    out = []
    for p, t in params:
        d = {"arg": p, "name": names[p], "type": t}
        if t.startswith("!pto.ptr"):
            d.update(kind="ptr", et=ptr_et(t), host=host_type(ptr_et(t)))
        else:
            et = t.split()[0]
            d.update(kind="scalar", et=et, host=host_type(et) if not et.startswith(("f", "bf")) else
                     {"f32": "float", "f64": "double"}.get(et, "float"))
        out.append(d)
    defaults = {}
    for d in out:
        if d["kind"] == "scalar":
            if d["et"] == "i1":
                d["value"] = "true"
            elif d["host"] in ("float", "double"):
                d["value"] = "1.0"
            else:
                d["value"] = str(INT_DEFAULTS.get(case, {}).get(d["name"], 1))
                defaults[d["arg"]] = int(d["value"])
    # runtime-owned pointers
    for d in out:
        if d["kind"] == "ptr":
            a = re.escape(d["arg"])
            if re.search(r"make_prefetch_async_context\s*\(\s*%" + a + r"\b", pto):
                d["role"] = "prefetch_workspace"
            elif re.search(r"pto\.set_ffts\b[^\n]*%" + a + r"\b", pto):
                d["role"] = "ffts"
    reach, outputs, first_shape = {}, [], None
    for f in texts:
        body = _func_text(pto, f)
        env = int_maxima(body, defaults)
        val = lambda x: env.get(x[1:], 0) if x.startswith("%") else int(x)  # an SSA value or a literal
        ptr_of = {}  # tensor view / pointer ssa -> (param arg, element offset)
        for d in out:
            if d["kind"] == "ptr":
                ptr_of[d["arg"]] = (d["arg"], 0)
        for m in re.finditer(SSA + r"\s*=\s*pto\.addptr\s+" + SSA + r"\s*,\s*" + SSA, body):
            if m.group(2) in ptr_of:
                p, o = ptr_of[m.group(2)]
                ptr_of[m.group(1)] = (p, o + max(val("%" + m.group(3)), 0))
        views = {}
        for m in re.finditer(SSA + r"\s*=\s*pto\.make_tensor_view\s+" + SSA + r"\s*,\s*shape\s*=\s*\[([^\]]*)\]"
                             r"\s*,\s*strides\s*=\s*\[([^\]]*)\]", body):
            if m.group(2) in ptr_of:
                views[m.group(1)] = (ptr_of[m.group(2)], [val(x) for x in _list(m.group(4))])
        parts = {}
        for m in re.finditer(SSA + r"\s*=\s*pto\.partition_view\s+" + SSA + r"\s*,\s*offsets\s*=\s*\[([^\]]*)\]"
                             r"\s*,\s*sizes\s*=\s*\[([^\]]*)\]", body):
            if m.group(2) in views:
                (p, o), strides = views[m.group(2)]
                offs = [max(val(x), 0) for x in _list(m.group(3))]
                sizes = [val(x) for x in _list(m.group(4))]
                n = 1 + o + sum((s - 1) * st for s, st in zip(sizes, strides) if s > 0) + \
                    sum(a * st for a, st in zip(offs, strides))
                parts[m.group(1)] = (p, n, sizes)
        for op, stmt in statements(body):
            used = [u for u in re.findall(SSA, stmt) if u in parts] if op != "partition_view" else []
            if op == "tload" and used and mx_scale_tile(stmt):
                continue  # the harness cannot size these (see mx_scale_tile)
            for u in used:
                p, n, sizes = parts[u]
                reach[p] = max(reach.get(p, 0), n)
                if first_shape is None and op in ("tload", "tstore") and all(s > 0 for s in sizes):
                    first_shape = ([1] * 5 + sizes)[-2:]
            if f in writers and op.startswith("tstore"):
                w = re.search(r"outs\(\s*%([\w$.-]+)", stmt)
                if w and w.group(1) in parts and parts[w.group(1)][0] not in outputs:
                    outputs.append(parts[w.group(1)][0])
    data = [d for d in out if d["kind"] == "ptr" and "role" not in d]
    outputs = [d["name"] for d in data if d["arg"] in outputs]
    if not outputs and data:
        outputs = [data[-1]["name"]]
    logical = first_shape[0] * first_shape[1] if first_shape else 32 * 32
    for d in out:
        if d["kind"] == "ptr":
            d["reach"] = reach.get(d["arg"])
            n = d["reach"] or logical
            d["count"] = max(n, COUNT_MINIMUMS.get(case, {}).get(d["name"], 0))
            d.setdefault("role", "output" if d["name"] in outputs else "input")
    return out, outputs, (base + "_aic" if halves else f)


def statements(body):
    """(op name, text) of every pto op of a function body, continuation lines joined."""
    out = []
    for line in body.splitlines():
        t = line.strip()
        if out and t and not re.match(r"(%|pto\.|scf\.|arith\.|func\.|return\b|\}|//)", t):
            out[-1] = (out[-1][0], out[-1][1] + " " + t)
            continue
        m = re.match(r"(?:%[\w$.-]+(?:\s*,\s*%[\w$.-]+)*\s*=\s*)?pto\.([\w.]+)", t)
        out.append((m.group(1) if m else "", t))
    return [(op, t) for op, t in out if op]


def mx_scale_tile(stmt):
    """A tload into an MX scale tile (f8E8M0 in mat, row_major/row_major with more than one
    row, or col_major/col_major): ptoas gives its GlobalTensor a TileShape2D, which the
    harness's Shape<>/Stride<> patterns do not read, so that buffer gets the fallback count."""
    m = re.search(r"outs\([^:]*:\s*!pto\.tile_buf<(.*)>\s*\)", stmt)
    if not m or "f8E8M0" not in m.group(1) or not re.match(r"\s*(loc=)?mat\b", m.group(1)):
        return False
    t = m.group(1)
    bl = (re.search(r"blayout=(\w+)", t) or re.search("$()", "")).group(1) or "row_major"
    sl = (re.search(r"slayout=(\w+)", t) or re.search("$()", "")).group(1) or "none_box"
    rows = re.search(r"rows=(\d+)", t) or re.search(r"(\d+)x\d+x", t)
    return (bl, sl) == ("col_major", "col_major") or \
        ((bl, sl) == ("row_major", "row_major") and rows is not None and int(rows.group(1)) != 1)


def _func_text(pto, f):
    i = pto.index("func.func @" + f + "(")
    j = pto.find("func.func @", i + 10)
    return pto[i: j if j > 0 else len(pto)]


def main_cpp(params):
    """The lines of the harness's main.cpp that validation_runtime.py reads."""
    lines = []
    data = [d for d in params if d["kind"] == "ptr" and d["role"] in ("input", "output")]
    for d in data:
        lines.append("    size_t elemCount_%s = %d;" % (d["name"], d["count"]))
        lines.append("    size_t fileSize_%s = elemCount_%s * sizeof(%s);" % (d["name"], d["name"], d["host"]))
    for d in params:
        if d["kind"] == "scalar":
            v = d["value"] + ("f" if d["host"] == "float" else "")
            lines.append("    %s %s = %s;" % (d["host"], d["name"], v))
    for d in data:
        lines.append('    ReadFile("./%s.bin", fileSize_%s, %sHost, fileSize_%s);' % ((d["name"],) * 4))
    return "int main() {\n" + "\n".join(lines) + "\n}\n"


def template_compare(git, params):
    """generate_testcase.py's compare.py for a case without its own compare script."""
    text = git.show(TEMPLATES + "/compare_template.py").decode()
    lines = ["    ok = True"]
    for d in params:
        if d["kind"] != "ptr" or d["role"] != "output":
            continue
        n = d["name"]
        prefix = d["reach"] if d["reach"] and d["reach"] < d["count"] else None
        if d["et"] == "bf16":
            lines.append('    ok = compare_bf16_bin%s("golden_%s.bin", "%s.bin", 1%s) and ok'
                         % ("_prefix" if prefix else "", n, n, ", %d" % prefix if prefix else ""))
        else:
            dt = "np." + np.dtype(DT.get(d["et"], "uint8")).name
            eps = {"f16": 1e-2, "f32": 1e-4}.get(d["et"], 0.0)
            lines.append('    ok = compare_bin%s("golden_%s.bin", "%s.bin", %s, %r%s) and ok'
                         % ("_prefix" if prefix else "", n, n, dt, eps, ", %d" % prefix if prefix else ""))
    return text.replace("@COMPARES@", "\n".join(lines))


def is_a5(pto, sdir):
    return sdir.endswith("A5") or re.search(r'pto\.target_arch\s*=\s*"a5"', pto) is not None


def run_case(ptk, git, root, sdir, case, pto_name, rewrite, names):
    d = os.path.join(root, sdir, case)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    src = SAMPLES + "/" + sdir
    pto = git.show(src + "/" + pto_name).decode()
    if rewrite:
        pto = rewrite(pto)
    open(os.path.join(d, "kernel.pto"), "w").write(pto)
    params, outputs, entry = describe(pto, case)
    open(os.path.join(d, "main.cpp"), "w").write(main_cpp(params))
    open(os.path.join(d, "outputs.txt"), "w").write("".join(o + "\n" for o in outputs))
    git.copy_dir(SAMPLES, d, ["validation_runtime.py"])
    git.copy_dir(src, d, [n for n in names if re.search(r"_golden_.*\.py$", n)])
    open(os.path.join(d, "golden.py"), "wb").write(git.show(src + "/" + case + "_golden.py"))
    if case + "_compare.py" in names:
        open(os.path.join(d, "compare.py"), "wb").write(git.show(src + "/" + case + "_compare.py"))
    else:
        open(os.path.join(d, "compare.py"), "w").write(template_compare(git, params))
    a5 = is_a5(pto, sdir)
    env = dict(os.environ, SOC_VERSION="Ascend950" if a5 else "Ascend910B")
    r = subprocess.run([sys.executable, "golden.py"], cwd=d, capture_output=True, text=True, env=env)
    if r.returncode:
        msg = (r.stderr.strip().splitlines() or ["?"])[-1]
        return [(e, "golden.py failed: " + msg[:200]) for e in ENGINES]
    args, out_idx = [], {}
    for k, p in enumerate(params):
        if p["kind"] == "scalar":
            args.append(p["value"])
        elif p["role"] in ("prefetch_workspace", "ffts"):
            args.append(zeros_arg(p["et"], p["count"]))
        else:
            a = np.fromfile(os.path.join(d, p["name"] + ".bin"), dtype=DT.get(p["et"], "uint8"))
            np.save(os.path.join(d, "in_%s.npy" % p["name"]), a)
            args.append(os.path.join(d, "in_%s.npy" % p["name"]))
            if p["role"] == "output":
                out_idx[p["name"]] = k
    res = []
    for e in ENGINES:
        ed = os.path.join(d, e)
        os.makedirs(ed)
        for f in os.listdir(d):
            if f.startswith("golden_") or f in ("main.cpp", "outputs.txt", "compare.py", "validation_runtime.py"):
                os.symlink(os.path.join("..", f), os.path.join(ed, f))
        err = ptk_run(ptk, os.path.join(d, "kernel.pto"), args, os.path.join(ed, "ptk_out"),
                      entry=entry, engine=e, target="a5" if a5 else None)
        if err:
            res.append((e, err))
            continue
        for n, k in out_idx.items():
            ptk_output(os.path.join(ed, "ptk_out"), k).tofile(os.path.join(ed, n + ".bin"))
        r = subprocess.run([sys.executable, "compare.py"], cwd=ed, capture_output=True, text=True, env=env)
        msg = compare_message(r)
        if msg.startswith("FAIL") and not a5 and case.lower() in UNSTABLE_A3:
            msg += " (the harness does not use this golden on A3 boards: UNSTABLE_A3_CUSTOM_GOLDEN_CASES)"
        res.append((e, msg))
    # the engines promise the same bytes
    outs = [[open(os.path.join(d, e, n + ".bin"), "rb").read() if os.path.exists(os.path.join(d, e, n + ".bin"))
             else None for n in out_idx] for e in ENGINES]
    if None not in outs[0] + outs[1] and outs[0] != outs[1]:
        res = [(e, "FAIL engines differ: " + m) for e, m in res]
    return res


def cases(git, only):
    """(dir, case, kernel file, rewrite, dir's files) for every golden script with a kernel."""
    for sdir in git.ls(SAMPLES):
        if "." in sdir or (only and sdir not in only and not any(o.startswith(sdir + "/") for o in only)):
            continue
        names = git.ls(SAMPLES + "/" + sdir)
        for g in sorted(n for n in names if n.endswith("_golden.py")):
            case = g[: -len("_golden.py")]
            if only and sdir not in only and sdir + "/" + case not in only:
                continue
            hit = [n for n in (case + ".pto", case + "-pto.pto") if n in names]
            if hit:
                yield sdir, case, hit[0], None, names
            elif (sdir, case) in ALIASES:
                yield (sdir, case) + ALIASES[(sdir, case)] + (names,)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    ptk, git, root = os.path.abspath(sys.argv[1]), Git(sys.argv[2]), os.path.abspath(sys.argv[3])
    table = Table((22, 40, 7))
    for sdir, case, pto_name, rewrite, names in cases(git, sys.argv[4:]):
        try:
            rs = run_case(ptk, git, root, sdir, case, pto_name, rewrite, names)
        except Exception as e:  # keep going over the whole set
            rs = [(e2, "driver error: " + repr(e)[:150]) for e2 in ENGINES]
        for engine, status in rs:
            table.add(sdir, case, engine, status)
    table.total()


if __name__ == "__main__":
    main()
