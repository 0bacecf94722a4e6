#!/usr/bin/python3
"""Run the PTOAS per-op A5 tile kernels (test/tilelang_st/.../testcase/<op>/)
through `ptk run` and judge the results with each op's own gen_data.py and
compare.py. Not part of `make test`: it needs a PTOAS git directory (for
example from a bare clone) and numpy.

usage: tilelang_st.py [--fit-partitions] PTK GITDIR OUTROOT [op ...]

For every case it writes OUTROOT/<op>/<case>/: the inputs and golden that
gen_data.py makes (also as arr_<name>.npy), a one-function copy of the
kernel (<KERNEL>.pto, so a sibling ptk refuses does not block it), ptk's
outputs (ptk_out/) and output.bin; then runs `compare.py <case>`. Arguments
are matched to kernel parameters by name, else by element size and view
size; the output is the parameter named dst/out (else the last pointer);
scalars come from launch.cpp, from 1-element arrays, or from a *SCALAR*
constant of gen_data.py. When main.cpp pads rows (PadDataWithStride: each
row of a 2-D array starts at a 32-byte-aligned stride on the device), the
inputs are passed padded the same way and the output is unpadded before
compare.py reads it. --fit-partitions shrinks tload partitions larger
than the tile's valid shape to it (ptk's verifier wants them equal; tload
copies min(valid, partition) anyway). Prints one line per case and a total:
PASS, FAIL (compare.py's message), or a reason it could not run.
"""
import json, os, re, subprocess, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptoas_harness import DT, Git, Table, compare_message, funcs, function_body, ptk_output, ptk_run, ptr_et, \
    single_function_module, zeros_arg

ARGS = [a for a in sys.argv[1:] if a != "--fit-partitions"]
FIT = "--fit-partitions" in sys.argv[1:]
PTK, GIT, ROOT = ARGS[0], Git(ARGS[1]), ARGS[2]
BASE = "test/tilelang_st/npu/a5/src/st/testcase"

RUNNER = r'''
import sys, os, re, json, numpy as np, runpy, builtins
sys.path.insert(0, os.getcwd())
rec = {}
def _rec_tofile(arr, path, *a, **k):
    arr.tofile(path, *a, **k)
    case, base = os.path.split(path)
    stem = os.path.splitext(base)[0]
    np.save(os.path.join(case, "arr_" + stem + ".npy"), np.asarray(arr))
    rec.setdefault(os.path.basename(case) or case, []).append(stem)
builtins._rec_tofile = _rec_tofile
orig = {f: open(f).read() for f in ("st_common.py", "gen_data.py")}
for f, src in orig.items():
    open(f, "w").write(re.sub(r"([\w\.\[\]\"']+)\.tofile\(", r"_rec_tofile(\1, ", src))
try:
    g = runpy.run_path("gen_data.py", run_name="__main__")
finally:  # compare.py may import gen_data / st_common in a process without _rec_tofile
    for f, src in orig.items():
        open(f, "w").write(src)
scal = {k: v for k, v in g.items() if k.isupper() and isinstance(v, (int, float))}
json.dump({"rec": rec, "scal": scal}, open("rec.json", "w"))
'''

def view_numel(pto, fname, pname):
    body = pto[pto.index("@" + fname + "("):]
    nxt = body.find("func.func", 10)
    body = body[: nxt if nxt > 0 else len(body)]
    m = re.search(r"make_tensor_view %" + pname + r"\b(.*?)!pto\.tensor_view<([0-9x?]+)x\w+>", body, re.S)
    if not m:
        return None
    n = 1
    for d in m.group(2).split("x"):
        n *= int(d)
    # the highest element the strided view reaches
    consts = dict(re.findall(r"%(\w+)\s*=\s*arith\.constant\s+(-?\d+)\s*:\s*index", body))
    sh = re.search(r"shape\s*=\s*\[([^\]]*)\]", m.group(1))
    st = re.search(r"strides\s*=\s*\[([^\]]*)\]", m.group(1))
    if sh and st:
        try:
            dims = [int(consts[x.strip().lstrip("%")]) for x in sh.group(1).split(",")]
            strides = [int(consts[x.strip().lstrip("%")]) for x in st.group(1).split(",")]
            n = max(n, 1 + sum((a - 1) * b for a, b in zip(dims, strides)))
        except (KeyError, ValueError):
            pass
    return n

def launch_scalar(d, f, t):
    """The scalar a launch.cpp passes to kernel f (last launch argument), as a ptk literal."""
    p = os.path.join(d, "launch.cpp")
    if not os.path.exists(p):
        return None
    m = re.search(r"\b" + f + r"<<<[^>]*>>>\((.*)\);", open(p).read())
    if not m:
        return None
    a = m.group(1).split(",")[-1].strip()
    b = re.match(r"bits_to_float\((0x[0-9A-Fa-f]+)U?\)", a)
    if b:
        return repr(float(np.array([int(b.group(1), 16)], dtype=np.uint32).view(np.float32)[0]))
    b = re.match(r"\(unsigned short\)\s*(0x[0-9A-Fa-f]+)", a)
    if b and t.startswith("f16"):
        return repr(float(np.array([int(b.group(1), 16)], dtype=np.uint16).view(np.float16)[0]))
    b = re.match(r"^(-?[0-9.eE+-]+)f?$", a)
    if b:
        return b.group(1)
    return None

def row_padded(d):
    """Whether the op's main.cpp copies 2-D arrays to the device with each row
    padded to a 32-byte-aligned stride (and back for the output)."""
    p = os.path.join(d, "main.cpp")
    return os.path.exists(p) and "PadDataWithStride" in open(p).read()

def aligned_cols(shape, itemsize):
    return -(-shape[-1] * itemsize // 32) * 32 // itemsize

def pad_rows(a):
    """a (rows x cols) with each row widened to the 32-byte-aligned width by zeros."""
    out = np.zeros((a.shape[0], aligned_cols(a.shape, a.itemsize)), dtype=a.dtype)
    out[:, :a.shape[1]] = a
    return out

def fit_partitions(body):
    """Shrink a tload's partition to the tile's valid shape (pto-ir: tload copies
    min(valid, partition)), for kernels ptk's verifier refuses otherwise."""
    extra = []
    for m in re.finditer(r"pto\.tload ins\(%(\w+)\s*:\s*!pto\.partition_tensor_view<([0-9x]+)x(\w+)>\)\s*"
                         r"outs\(%\w+\s*:\s*!pto\.tile_buf<([^>]*)>", body):
        part, dims, et = m.group(1), [int(x) for x in m.group(2).split("x")], m.group(3)
        tb = m.group(4)
        sf = re.match(r"\s*\w+,\s*(\d+)x(\d+)x\w+(?:.*?valid=(\d+)x(\d+))?", tb)
        lf = re.search(r"rows=(\d+),\s*cols=(\d+),\s*v_row=(\d+),\s*v_col=(\d+)", tb)
        if lf:
            vr, vc = int(lf.group(3)), int(lf.group(4))
        elif sf:
            vr, vc = int(sf.group(3) or sf.group(1)), int(sf.group(4) or sf.group(2))
        else:
            continue
        if dims[-2:] == [vr, vc] or dims[-2] < vr or dims[-1] < vc:
            continue
        old_t = "!pto.partition_tensor_view<%sx%s>" % (m.group(2), et)
        new_dims = dims[:-2] + [vr, vc]
        new_t = "!pto.partition_tensor_view<%sx%s>" % ("x".join(map(str, new_dims)), et)
        dm = re.search(r"%" + part + r"\s*=\s*pto\.partition_view[\s\S]*?sizes\s*=\s*\[([^\]]*)\]", body)
        if not dm:
            continue
        sz = [x.strip() for x in dm.group(1).split(",")]
        sz[-2:] = ["%%__fit%d" % vr, "%%__fit%d" % vc]
        extra += [vr, vc]
        # the def may span lines; rewrite it up to its result type
        end = body.find(old_t, dm.start()) + len(old_t)
        seg = body[dm.start():end].replace(dm.group(1), ", ".join(sz), 1).replace(old_t, new_t)
        body = body[:dm.start()] + seg + body[end:]
        body = body.replace("ins(%" + part + " : " + old_t, "ins(%" + part + " : " + new_t)
    if extra:
        i = body.index("\n", body.index("func.func"))
        body = body[:i] + "".join("\n    %%__fit%d = arith.constant %d : index" % (v, v)
                                  for v in sorted(set(extra))) + body[i:]
    return body

def run_op(op):
    d = os.path.join(ROOT, op)
    os.makedirs(d, exist_ok=True)
    names = GIT.copy_dir("%s/%s" % (BASE, op), d)
    GIT.copy_dir(BASE, d, ["st_common.py"])
    pto_name = [n for n in names if n.endswith(".pto")]
    if not pto_name or "gen_data.py" not in names or "compare.py" not in names:
        return [(op, "-", "skip: files")]
    r = subprocess.run([sys.executable, "-c", RUNNER], cwd=d, capture_output=True, text=True)
    if r.returncode:
        return [(op, "-", "skip: gen_data " + r.stderr.strip().splitlines()[-1][:80])]
    meta = json.load(open(os.path.join(d, "rec.json")))
    pto = open(os.path.join(d, pto_name[0])).read()
    fs = funcs(pto)
    padded = row_padded(d)
    res = []
    for case, arrs in sorted(meta["rec"].items()):
        cand = [f for f in fs if f.lower().endswith("_" + case.lower())]
        short = case
        while not cand and "_" in short:  # f16_32x64_noeq -> ..._f16_32x64
            short = short.rsplit("_", 1)[0]
            cand = [f for f in fs if f.lower().endswith("_" + short.lower())]
        if len(cand) != 1:
            res.append((op, case, "skip: %d funcs match" % len(cand)))
            continue
        f = cand[0]
        ins = [a for a in arrs if a != "golden"]
        ptrs = [(n, t) for n, t in fs[f] if t.startswith("!pto.ptr") and not n.startswith("tmp")]
        args = []
        sc_arrs = []
        if len(ptrs) != len(ins) + 1:  # 1-element arrays standing for scalar parameters
            one = [a for a in ins if np.load(os.path.join(d, case, "arr_" + a + ".npy")).size == 1]
            if len(ptrs) == len(ins) - len(one) + 1:
                sc_arrs = [np.load(os.path.join(d, case, "arr_" + a + ".npy")).reshape(-1)[0] for a in one]
                ins = [a for a in ins if a not in one]
        inplace = len(ptrs) == len(ins) and len(ins) > 0
        if len(ptrs) != len(ins) + 1 and not inplace:
            res.append((op, case, "skip: %d ptrs, %d inputs" % (len(ptrs), len(ins))))
            continue
        ok = True
        out_shape = None  # set when the output is row-padded on the device
        outs = [n for n, t in ptrs if re.search(r"dst|out", n)]
        out_name = outs[0] if len(outs) == 1 else ptrs[-1][0]
        # inputs: by name (mask_ptr <- mask), else the first unused array of the
        # parameter's element size whose size matches the view, else by size, else in order
        arrs_np = {a: np.load(os.path.join(d, case, "arr_" + a + ".npy")) for a in ins}
        used = set()
        def pick(n, t):
            et = ptr_et(t)
            esz = np.dtype(DT.get(et, "uint8")).itemsize
            stem = n[:-4] if n.endswith("_ptr") else n
            free = [a for a in ins if a not in used]
            for a in free:
                if a == stem:
                    return a
            nv = view_numel(pto, f, n)
            for a in free:
                if arrs_np[a].itemsize == esz and arrs_np[a].size == nv:
                    return a
            for a in free:
                if arrs_np[a].itemsize == esz:
                    return a
            return free[0]
        for n, t in fs[f]:
            if t.startswith("!pto.ptr") and n.startswith("tmp"):
                et = ptr_et(t)
                args.append(zeros_arg(et, view_numel(pto, f, n) or 1))
            elif t.startswith("!pto.ptr"):
                if inplace and n == out_name:
                    out_idx = len(args)
                if n != out_name or inplace:
                    a = pick(n, t)
                    used.add(a)
                    path = os.path.join(d, case, "arr_" + a + ".npy")
                    if padded and arrs_np[a].ndim == 2:
                        path = os.path.join(d, case, "pad_" + a + ".npy")
                        np.save(path, pad_rows(arrs_np[a]))
                    args.append(path)
                else:
                    et = ptr_et(t)
                    numel = view_numel(pto, f, n)
                    gold = np.load(os.path.join(d, case, "arr_golden.npy")) if "golden" in arrs else None
                    gsz = 0 if gold is None else gold.size
                    out_shape = gold.shape if padded and gold is not None and gold.ndim == 2 else None
                    if out_shape:
                        gsz = out_shape[0] * aligned_cols(out_shape, gold.itemsize)
                    numel = None if numel is None else max(numel, gsz)
                    if numel is None or et not in DT:
                        ok = False
                        break
                    out_idx = len(args)
                    args.append(zeros_arg(et, numel))
            else:
                if sc_arrs:
                    v = sc_arrs.pop(0)
                    if t.startswith(("f", "bf")):
                        args.append(repr(float(v)))
                    elif np.asarray(v).dtype.kind == "f":  # float scalar carried as its bits
                        args.append(str(int(np.asarray(v).view("uint%d" % (8 * np.asarray(v).itemsize)))))
                    else:
                        args.append(str(int(v)))
                    continue
                lit = launch_scalar(d, f, t)
                if lit is not None:
                    args.append(lit)
                    continue
                sc = [v for k, v in meta["scal"].items() if "SCALAR" in k]
                if len(sc) != 1:
                    ok = False
                    break
                args.append(repr(sc[0]) if t.startswith("f") else str(int(sc[0])))
        if not ok:
            res.append((op, case, "skip: args"))
            continue
        # one function per module, so a sibling kernel ptk refuses does not block this one
        body = function_body(pto, f)
        if FIT:
            body = fit_partitions(body)
        single = os.path.join(d, case, f + ".pto")
        open(single, "w").write(single_function_module(pto, f, body))
        od = os.path.join(d, case, "ptk_out")
        err = ptk_run(PTK, single, args, od, entry=f, timeout=300)
        if err:
            res.append((op, case, err))
            continue
        out = ptk_output(od, out_idx)
        if padded and not inplace and out_shape:
            w = aligned_cols(out_shape, out.itemsize)
            out = out[:out_shape[0] * w].reshape(out_shape[0], w)[:, :out_shape[1]]
        out.tofile(os.path.join(d, case, "output.bin"))
        r = subprocess.run([sys.executable, "compare.py", case], cwd=d, capture_output=True, text=True)
        res.append((op, case, compare_message(r)))
    return res

ops = ARGS[3:] or GIT.ls(BASE)
table = Table()
for op in ops:
    if "." in op:
        continue
    try:
        rs = run_op(op)
    except Exception as e:  # keep going over the whole suite
        rs = [(op, "-", "skip: driver " + repr(e)[:100])]
    for o, c, s in rs:
        table.add(o, c, s)
table.total()
