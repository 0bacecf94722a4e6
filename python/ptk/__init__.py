"""ptk: load PTO tile kernels (.ptk or .pto) and run them on numpy arrays.

    import numpy as np, ptk
    k = ptk.load("samples/softmax.ptk", consts={"COLS": 64})
    x = np.random.rand(100, 64).astype(np.float32)
    y = np.zeros_like(x)
    k(x, y, 100, blocks=4)                       # in place: every parameter
    y2 = k.call(x, 100, blocks=4)                # return style: the out parameters

Pure Python over the C library libptk.so (ctypes; see runtime/ptk.h). Arrays
must be C-contiguous with exactly the parameter's dtype (bf16 as uint16, or
ml_dtypes.bfloat16 when that package is installed). Errors raise ptk.Error
with the rendered diagnostic. Launches release the GIL; one kernel object
may be called from several threads at once.
"""

import os
import re
import threading

import numpy as np

from . import _lib

__all__ = ["load", "Kernel", "Program", "Param", "Error", "version", "__version__"]

__version__ = _lib.version().decode()


def version():
    """The version of the loaded libptk.so, e.g. "0.1.0"."""
    return _lib.version().decode()


class Error(Exception):
    """A ptk error. str(e) and e.message are the rendered diagnostic
    ("path:line:col: error: …" with the source line and notes); e.file,
    e.line and e.column locate its first error (None when it has no
    location); e.code is "argument", "io", "compile", "launch" or
    "unsupported"."""

    _LOC = re.compile(r"^(.*?):(\d+):(\d+): (?:fatal )?error: ", re.M)

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        self.code = code
        m = self._LOC.search(message)
        self.file = m.group(1) if m else None
        self.line = int(m.group(2)) if m else None
        self.column = int(m.group(3)) if m else None

    def __str__(self):
        return self.message


def _error(err):
    code = _lib.CODE_NAMES.get(err.code, str(err.code))
    return Error(_lib.take_message(err), code)


# ---- dtypes --------------------------------------------------------------------------------------

try:  # optional: a real bfloat16 numpy dtype
    import ml_dtypes as _ml_dtypes

    _BF16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - depends on the machine
    _BF16 = None

_NP = {
    _lib.F16: np.dtype(np.float16),
    _lib.BF16: np.dtype(np.uint16),
    _lib.F32: np.dtype(np.float32),
    _lib.F64: np.dtype(np.float64),
    _lib.I8: np.dtype(np.int8),
    _lib.I16: np.dtype(np.int16),
    _lib.I32: np.dtype(np.int32),
    _lib.I64: np.dtype(np.int64),
    _lib.U8: np.dtype(np.uint8),
    _lib.U16: np.dtype(np.uint16),
    _lib.U32: np.dtype(np.uint32),
    _lib.U64: np.dtype(np.uint64),
    _lib.BOOL: np.dtype(np.bool_),
    _lib.INDEX: np.dtype(np.int64),
}
_INT_RANGE = {
    _lib.I8: (-(1 << 7), (1 << 7) - 1),
    _lib.I16: (-(1 << 15), (1 << 15) - 1),
    _lib.I32: (-(1 << 31), (1 << 31) - 1),
    _lib.I64: (-(1 << 63), (1 << 63) - 1),
    _lib.INDEX: (-(1 << 63), (1 << 63) - 1),
    _lib.U8: (0, (1 << 8) - 1),
    _lib.U16: (0, (1 << 16) - 1),
    _lib.U32: (0, (1 << 32) - 1),
    _lib.U64: (0, (1 << 64) - 1),
}
_FLOATS = (_lib.F16, _lib.BF16, _lib.F32, _lib.F64)
_MAX_RANK = 8


def _accepted(elem):
    """numpy dtypes accepted for a tensor parameter of element type elem."""
    if elem == _lib.BF16:
        return (np.dtype(np.uint16),) + ((_BF16,) if _BF16 is not None else ())
    if elem in _NP:
        return (_NP[elem],)
    return ()  # PTK_ELEM_OTHER: any dtype (the library checks nothing)


class Param:
    """One launch parameter: name, kind ("tensor" or "scalar"), dtype (the
    ptk name: "f32", "bf16", "i32", …), direction ("in", "out", "inout" or
    "unused"; scalars are "in"), np_dtype (the numpy dtype arrays or results
    use: bf16 is uint16, or ml_dtypes.bfloat16 when installed)."""

    __slots__ = ("name", "kind", "dtype", "direction", "np_dtype", "shape", "_elem", "_index")

    def __init__(self, index, name, is_tensor, elem, direction):
        self._index = index
        self._elem = elem
        self.name = name
        self.kind = "tensor" if is_tensor else "scalar"
        self.dtype = _lib.ELEM_NAMES[elem] if 0 <= elem < len(_lib.ELEM_NAMES) else "?"
        self.direction = direction
        self.shape = ()  # program tensors: dims (ints, or names of dynamic ones)
        if elem == _lib.BF16 and _BF16 is not None:
            self.np_dtype = _BF16
        else:
            self.np_dtype = _NP.get(elem)

    def __repr__(self):
        if self.kind == "tensor":
            return "%s: ptr<%s> %s" % (self.name, self.dtype, self.direction)
        return "%s: %s" % (self.name, self.dtype)

    def __eq__(self, other):
        return isinstance(other, Param) and (self.name, self.kind, self.dtype, self.direction) == (
            other.name, other.kind, other.dtype, other.direction)

    def __hash__(self):
        return hash((self.name, self.kind, self.dtype, self.direction))


# ---- contexts ------------------------------------------------------------------------------------

_ctx_lock = threading.Lock()
_contexts = {}  # (engine, target) -> ptk_ctx*; live for the process (kernels belong to them)


def _context(engine, target):
    key = (engine, target)
    with _ctx_lock:
        c = _contexts.get(key)
        if c is None:
            opt = _lib.Options()
            opt.engine = engine.encode()
            opt.target = target.encode() if target is not None else None
            err = _lib.Err()
            c = _lib.open_(opt, err)
            if not c:
                raise _error(err)
            _contexts[key] = c
        return c


def _const_text(name, v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, str):
        return v
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        names = {np.dtype(t): n for n, t in [("f16", np.float16), ("f32", np.float32),
                                             ("f64", np.float64), ("i8", np.int8),
                                             ("i16", np.int16), ("i32", np.int32),
                                             ("i64", np.int64), ("bool", np.bool_)]}
        if np.dtype(v) in names:
            return names[np.dtype(v)]
    raise TypeError("const %r: expected an int, float, bool or str value, got %s"
                    % (name, type(v).__name__))


def _looks_like_text(s):
    return "\n" in s or "{" in s or ";" in s


_PROGRAM_RE = re.compile(r"^[ \t]*program[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(", re.M)


def _is_program(path_or_text, entry):
    """Does the source declare a program (named entry, when given)?"""
    text = None
    if isinstance(path_or_text, os.PathLike) or (
            isinstance(path_or_text, str) and not _looks_like_text(path_or_text)):
        path = os.fspath(path_or_text)
        if not path.endswith(".ptk"):
            return False
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            return False  # the library reports the error
    elif isinstance(path_or_text, str):
        text = path_or_text
    if not text:
        return False
    names = _PROGRAM_RE.findall(text)
    return bool(names) and (entry is None or entry in names)


def _load_program(ctx, path_or_text, e, carr, consts, engine, target, virtual_path):
    err = _lib.Err()
    if isinstance(path_or_text, os.PathLike) or not _looks_like_text(path_or_text):
        origin = os.fspath(path_or_text)
        h = _lib.prog_load_file(ctx, os.fsencode(origin), e, carr, len(consts), err)
    else:
        origin = virtual_path or "<string>.ptk"
        h = _lib.prog_load_string(ctx, path_or_text.encode(), os.fsencode(origin), e, carr,
                                  len(consts), err)
    if not h:
        raise _error(err)
    return Program(h, origin, engine, target, consts)


def load(path_or_text, entry=None, consts=None, engine="interp", target=None,
         virtual_path=None):
    """Loads a kernel and prepares it for launching.

    path_or_text: a path (str or os.PathLike) to a .ptk or .pto file, or the
      source text itself (a str with a newline, '{' or ';'); text is named
      `virtual_path` in diagnostics (default "<string>.ptk", or
      "<string>.pto" for text that starts with "module" or has "func.func"),
      whose extension picks the language and whose folder anchors imports.
    entry: the kernel (.ptk) or function (.pto) to load; None: the only one.
    consts: {name: value} bindings of the kernel's const parameters.
    engine: "interp" (the IR interpreter) or "jit" (generated C compiled by
      cc, cached under $XDG_CACHE_HOME/ptk); results are bit-identical.
    target: "a3" or "a5" on-chip memory sizes; None: the kernel's own.

    A file (or text) declaring a `program` (the only one, or the one named
    by entry) loads as a Program: called like a kernel, without blocks
    (each launch of the program gives its own), consts give values to the
    file's module-level consts.

    Loading the same kernel again returns a kernel sharing the cached build
    (rebuilt when a file it came from changed). Raises ptk.Error."""
    if engine not in ("interp", "jit"):
        raise ValueError("engine must be 'interp' or 'jit', got %r" % (engine,))
    if target is not None and target not in ("a3", "a5"):
        raise ValueError("target must be 'a3', 'a5' or None, got %r" % (target,))
    if entry is not None and not isinstance(entry, str):
        raise TypeError("entry must be a str or None, got %s" % type(entry).__name__)
    consts = dict(consts or {})
    carr = (_lib.Const * max(len(consts), 1))()
    for i, (n, v) in enumerate(consts.items()):
        if not isinstance(n, str):
            raise TypeError("const names must be str, got %r" % (n,))
        carr[i].name = n.encode()
        carr[i].value = _const_text(n, v).encode()
    ctx = _context(engine, target)
    err = _lib.Err()
    e = entry.encode() if entry is not None else None
    if _is_program(path_or_text, entry):
        return _load_program(ctx, path_or_text, e, carr, consts, engine, target, virtual_path)
    if isinstance(path_or_text, os.PathLike) or (
            isinstance(path_or_text, str) and not _looks_like_text(path_or_text)):
        path = os.fspath(path_or_text)
        k = _lib.load_file(ctx, os.fsencode(path), e, carr, len(consts), err)
        origin = path
    elif isinstance(path_or_text, str):
        if virtual_path is None:
            s = path_or_text.lstrip()
            pto = s.startswith("module") or "func.func" in path_or_text
            virtual_path = "<string>.pto" if pto else "<string>.ptk"
        k = _lib.load_string(ctx, path_or_text.encode(), os.fsencode(virtual_path), e, carr,
                             len(consts), err)
        origin = virtual_path
    else:
        raise TypeError("path_or_text must be a str or os.PathLike, got %s"
                        % type(path_or_text).__name__)
    if not k:
        raise _error(err)
    return Kernel(k, origin, engine, target, consts)


# ---- kernels -------------------------------------------------------------------------------------

class Kernel:
    """A loaded kernel. kernel(*args, blocks=1) launches in place with one
    argument per parameter; kernel.call(*inputs, blocks=1, out_shapes=None)
    allocates and returns the out parameters. .name, .params (tuple of
    Param), .inputs and .outputs (the parameters call() takes / returns)."""

    def __init__(self, handle, origin, engine, target, consts):
        self._h = handle
        self.path = origin
        self.engine = engine
        self.target = target
        self.consts = dict(consts)
        self.name = _lib.kernel_name(handle).decode()
        ps = []
        for i in range(_lib.kernel_nparams(handle)):
            p = _lib.kernel_param(handle, i).contents
            ps.append(Param(i, p.name.decode(), bool(p.is_tensor), p.type,
                            _lib.DIR_NAMES[p.dir] if 0 <= p.dir < 4 else "?"))
        self.params = tuple(ps)
        self.inputs = tuple(p for p in ps if p.direction != "out")
        self.outputs = tuple(p for p in ps if p.direction == "out")

    def __repr__(self):
        c = "".join(", %s=%r" % kv for kv in sorted(self.consts.items()))
        return "<ptk.Kernel %s(%s) from %r engine=%s%s%s>" % (
            self.name, ", ".join(repr(p) for p in self.params), self.path, self.engine,
            " target=%s" % self.target if self.target else "", c)

    @property
    def signature(self):
        """The parameters as (name, kind, dtype, direction) tuples."""
        return tuple((p.name, p.kind, p.dtype, p.direction) for p in self.params)

    # -- argument conversion --

    @staticmethod
    def _blocks(blocks):
        if isinstance(blocks, bool) or not isinstance(blocks, (int, np.integer)):
            raise TypeError("blocks must be an int, got %s" % type(blocks).__name__)
        if not 1 <= int(blocks) <= 0xFFFFFFFF:
            raise ValueError("blocks must be at least 1, got %d" % int(blocks))
        return int(blocks)

    def _tensor(self, p, a, keep):
        if not isinstance(a, np.ndarray):
            raise TypeError("argument '%s': expected a numpy array of %s (parameter %s), got %s"
                            % (p.name, p.dtype, p, type(a).__name__))
        ok = _accepted(p._elem)
        if ok and a.dtype not in ok:
            want = " or ".join(str(d) for d in ok)
            raise TypeError("argument '%s': expected an array of dtype %s (parameter %s), got %s"
                            % (p.name, want, p, a.dtype))
        if not a.flags.c_contiguous:
            raise ValueError("argument '%s': the array must be C-contiguous "
                             "(use numpy.ascontiguousarray)" % p.name)
        if p.direction in ("out", "inout") and not a.flags.writeable:
            raise ValueError("argument '%s': the array is read-only but the kernel writes it "
                             "(direction %s)" % (p.name, p.direction))
        if a.ndim > _MAX_RANK:
            raise ValueError("argument '%s': arrays of rank %d are not supported (at most %d)"
                             % (p.name, a.ndim, _MAX_RANK))
        elem = p._elem
        if elem not in _NP or elem == _lib.INDEX:  # an element type numpy has no name for
            elem = {1: _lib.U8, 2: _lib.U16, 4: _lib.U32, 8: _lib.U64}.get(a.itemsize)
            if elem is None:
                raise TypeError("argument '%s': %d-byte elements cannot be passed"
                                % (p.name, a.itemsize))
        shape = (_lib.ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
        data = a.ctypes.data
        if a.size == 0 and not data:
            raise ValueError("argument '%s': an empty array has no data" % p.name)
        t = _lib.tensor_wrap(elem, a.ndim, shape, data)
        if not t:
            raise ValueError("argument '%s': the array cannot be passed (shape %s)"
                             % (p.name, a.shape))
        keep.append(t)
        return t

    @staticmethod
    def _scalar(p, v, arg):
        e = p._elem
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        if e == _lib.BOOL:
            if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, np.integer)) and v in (0, 1)):
                arg.type, arg.i = _lib.BOOL, int(bool(v))
                return
            raise TypeError("argument '%s': expected a bool for %s, got %s %r"
                            % (p.name, p.dtype, type(v).__name__, v))
        if e in _FLOATS:
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
                    v, (bool, np.bool_)):
                arg.type, arg.f = _lib.F64, float(v)
                return
            raise TypeError("argument '%s': expected a number for %s, got %s"
                            % (p.name, p.dtype, type(v).__name__))
        if e in _INT_RANGE:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError("argument '%s': expected an int for %s, got %s %r"
                                % (p.name, p.dtype, type(v).__name__, v))
            lo, hi = _INT_RANGE[e]
            v = int(v)
            if not lo <= v <= hi:
                raise ValueError("argument '%s': %d does not fit %s [%d, %d]"
                                 % (p.name, v, p.dtype, lo, hi))
            if v >= 1 << 63:  # u64 above int64: the same 64 bits
                v -= 1 << 64
            arg.type, arg.i = _lib.I64, v
            return
        raise TypeError("argument '%s': scalar parameters of type %s cannot be passed"
                        % (p.name, p.dtype))

    def _args(self, params, values, keep):
        arr = (_lib.Arg * max(len(params), 1))()
        for i, (p, v) in enumerate(zip(params, values)):
            if p.kind == "tensor":
                arr[i].tensor = self._tensor(p, v, keep)
                arr[i].type = _lib.ELEM_OTHER
            else:
                self._scalar(p, v, arr[i])
        return arr

    def _arity(self, params, got, style):
        if got != len(params):
            raise TypeError("%s%s takes %d argument%s (%s), got %d" % (
                self.name, " .call()" if style == "call" else "", len(params),
                "" if len(params) == 1 else "s", ", ".join(repr(p) for p in params), got))

    # -- launching --

    def __call__(self, *args, blocks=1):
        """Launches over `blocks` blocks with one argument per parameter:
        numpy arrays for tensor parameters (written in place), Python or
        numpy scalars for scalar ones. Returns None; raises ptk.Error."""
        self._arity(self.params, len(args), "launch")
        blocks = self._blocks(blocks)
        keep = []
        try:
            arr = self._args(self.params, args, keep)
            err = _lib.Err()
            rc = _lib.launch(self._h, blocks, arr, len(self.params), err)  # GIL released
            if rc != _lib.OK:
                raise _error(err)
        finally:
            for t in keep:
                _lib.tensor_free(t)

    launch = __call__

    def call(self, *inputs, blocks=1, out_shapes=None):
        """Return style: one argument per parameter that is not `out`;
        allocates every `out` parameter (zero-filled), launches, and returns
        the out arrays (one array, a tuple of several, or None). Shapes come
        from out_shapes ({name: shape}) or, for parameters not named there,
        from the kernel (see ptk_call in ptk.h; an out parameter whose shape
        is not known before the launch raises ptk.Error: name it in
        out_shapes)."""
        self._arity(self.inputs, len(inputs), "call")
        blocks = self._blocks(blocks)
        shapes = {}
        outnames = [p.name for p in self.outputs]
        for n, s in dict(out_shapes or {}).items():
            if n not in outnames:
                raise ValueError("out_shapes: %r is not an out parameter of %s (out parameters: %s)"
                                 % (n, self.name, ", ".join(outnames) or "none"))
            try:
                if isinstance(s, (str, bytes)):
                    raise TypeError
                s = (int(s),) if isinstance(s, (int, np.integer)) else tuple(
                    int(d) if isinstance(d, (int, np.integer)) else int("x") for d in s)
            except (TypeError, ValueError):
                raise TypeError("out_shapes[%r]: expected a shape (tuple of ints), got %r" % (n, s))
            if any(d < 0 for d in s):
                raise ValueError("out_shapes[%r]: negative dimension in %r" % (n, s))
            shapes[n] = s
        for p in self.outputs:
            if p.np_dtype is None:
                raise TypeError("out parameter '%s': element type %s has no numpy dtype"
                                % (p.name, p.dtype))
        if len(shapes) == len(self.outputs):
            outs = [np.zeros(shapes[p.name], dtype=p.np_dtype) for p in self.outputs]
            it_in, it_out = iter(inputs), iter(outs)
            full = [next(it_out) if p.direction == "out" else next(it_in) for p in self.params]
            self(*full, blocks=blocks)
        else:
            outs = self._call_c(inputs, blocks)
            for i, p in enumerate(self.outputs):
                if p.name in shapes:
                    want = shapes[p.name]
                    if int(np.prod(want)) != outs[i].size:
                        raise ValueError(
                            "out_shapes[%r]: %r has %d elements but the kernel's view of '%s' "
                            "covers %d; give every out parameter's shape to launch with yours"
                            % (p.name, want, int(np.prod(want)), p.name, outs[i].size))
                    outs[i] = outs[i].reshape(want)
        if not outs:
            return None
        return outs[0] if len(outs) == 1 else tuple(outs)

    def _call_c(self, inputs, blocks):
        keep = []
        nout = len(self.outputs)
        outp = (_lib.P * max(nout, 1))()
        try:
            arr = self._args(self.inputs, inputs, keep)
            err = _lib.Err()
            rc = _lib.call(self._h, blocks, arr, len(self.inputs), outp, nout, err)
            if rc != _lib.OK:
                raise _error(err)
            res = []
            for p, t in zip(self.outputs, outp):
                rank = _lib.tensor_rank(t)
                sp = _lib.tensor_shape(t)
                shape = tuple(sp[d] for d in range(rank))
                a = np.empty(shape, dtype=p.np_dtype)
                if a.nbytes:
                    _lib.ctypes.memmove(a.ctypes.data, _lib.tensor_data(t), a.nbytes)
                res.append(a)
            return res
        finally:
            for t in keep:
                _lib.tensor_free(t)
            for t in outp:
                if t:
                    _lib.tensor_free(t)


# ---- programs ------------------------------------------------------------------------------------

class Program(Kernel):
    """A loaded program (a task graph of kernels). program(*args) runs it in
    place with one argument per parameter; program.call(*inputs) allocates
    and returns the `out` tensors (shapes static, or a dynamic dimension
    fixed by an input). .name, .params (Param, with .shape: ints, or the
    name of a dynamic dimension), .inputs, .outputs, .ntasks (tasks of the
    last run). Raises ptk.Error."""

    def __init__(self, handle, origin, engine, target, consts):
        self._h = handle
        self.path = origin
        self.engine = engine
        self.target = target
        self.consts = dict(consts)
        self.name = _lib.prog_name(handle).decode()
        ps = []
        for i in range(_lib.prog_nparams(handle)):
            p = _lib.prog_param_at(handle, i).contents
            q = Param(i, p.name.decode(), bool(p.is_tensor), p.type,
                      _lib.DIR_NAMES[p.dir] if 0 <= p.dir < 4 else "?")
            q.shape = tuple(p.dim_names[r].decode() if p.shape[r] < 0 else p.shape[r]
                            for r in range(p.rank)) if p.is_tensor else ()
            ps.append(q)
        self.params = tuple(ps)
        self.inputs = tuple(p for p in ps if p.direction != "out")
        self.outputs = tuple(p for p in ps if p.direction == "out")

    def __repr__(self):
        return "<ptk.Program %s(%s) from %r engine=%s>" % (
            self.name, ", ".join(repr(p) for p in self.params), self.path, self.engine)

    @property
    def ntasks(self):
        return _lib.prog_ntasks(self._h)

    def __call__(self, *args):
        """Runs the program with one argument per parameter (numpy arrays
        for tensors, written in place; scalars). Returns None."""
        self._arity(self.params, len(args), "launch")
        keep = []
        try:
            arr = self._args(self.params, args, keep)
            err = _lib.Err()
            if _lib.prog_launch(self._h, arr, len(self.params), err) != _lib.OK:
                raise _error(err)
        finally:
            for t in keep:
                _lib.tensor_free(t)

    launch = __call__

    def call(self, *inputs):
        """Return style: one argument per parameter that is not an `out`
        tensor; returns the out arrays (one array, a tuple, or None)."""
        self._arity(self.inputs, len(inputs), "call")
        for p in self.outputs:
            if p.np_dtype is None:
                raise TypeError("out tensor '%s': element type %s has no numpy dtype"
                                % (p.name, p.dtype))
        keep = []
        nout = len(self.outputs)
        outp = (_lib.P * max(nout, 1))()
        try:
            arr = self._args(self.inputs, inputs, keep)
            err = _lib.Err()
            if _lib.prog_call(self._h, arr, len(self.inputs), outp, nout, err) != _lib.OK:
                raise _error(err)
            res = []
            for p, t in zip(self.outputs, outp):
                rank = _lib.tensor_rank(t)
                sp = _lib.tensor_shape(t)
                a = np.empty(tuple(sp[d] for d in range(rank)), dtype=p.np_dtype)
                if a.nbytes:
                    _lib.ctypes.memmove(a.ctypes.data, _lib.tensor_data(t), a.nbytes)
                res.append(a)
        finally:
            for t in keep:
                _lib.tensor_free(t)
            for t in outp:
                if t:
                    _lib.tensor_free(t)
        if not res:
            return None
        return res[0] if len(res) == 1 else tuple(res)
