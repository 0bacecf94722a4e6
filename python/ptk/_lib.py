"""ctypes declarations of the public C API (runtime/ptk.h) and the search
for libptk.so. Nothing here knows about numpy."""

import ctypes
import ctypes.util
import os

# enum ptk_code
OK, ERR_ARG, ERR_IO, ERR_COMPILE, ERR_LAUNCH, ERR_UNSUPPORTED = range(6)
CODE_NAMES = {
    OK: "ok",
    ERR_ARG: "argument",
    ERR_IO: "io",
    ERR_COMPILE: "compile",
    ERR_LAUNCH: "launch",
    ERR_UNSUPPORTED: "unsupported",
}

# enum ptk_elem, in order
ELEM_NAMES = ["f16", "bf16", "f32", "f64", "i8", "i16", "i32", "i64",
              "u8", "u16", "u32", "u64", "bool", "index", "?"]
(F16, BF16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, BOOL, INDEX,
 ELEM_OTHER) = range(15)

# enum ptk_dir
DIR_NAMES = ["in", "out", "inout", "unused"]
IN, OUT, INOUT, UNUSED = range(4)


class Err(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_void_p)]


class Options(ctypes.Structure):
    _fields_ = [
        ("threads", ctypes.c_uint32),
        ("target", ctypes.c_char_p),
        ("include_dirs", ctypes.POINTER(ctypes.c_char_p)),
        ("ninclude", ctypes.c_size_t),
        ("stdlib_dir", ctypes.c_char_p),
        ("poison", ctypes.c_bool),
        ("print", ctypes.c_void_p),
        ("engine", ctypes.c_char_p),
    ]


class Const(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_char_p)]


class Param(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("is_tensor", ctypes.c_bool),
        ("type", ctypes.c_int),
        ("dir", ctypes.c_int),
    ]


class ProgParam(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("is_tensor", ctypes.c_bool),
        ("type", ctypes.c_int),
        ("dir", ctypes.c_int),
        ("rank", ctypes.c_int),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
    ]


class Arg(ctypes.Structure):
    _fields_ = [
        ("tensor", ctypes.c_void_p),
        ("type", ctypes.c_int),
        ("i", ctypes.c_int64),
        ("f", ctypes.c_double),
    ]


SONAME = "libptk.so.0"


def _candidates():
    env = os.environ.get("PTK_LIBRARY")
    if env:
        # An explicit choice: no fallback that could hide a wrong path.
        return [env]
    out = []
    try:
        from . import _install  # written by `make install`

        out.append(_install.LIBRARY)
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    out.append(os.path.join(here, "..", "..", "build", SONAME))  # the source tree
    out.append(SONAME)  # the dynamic loader's search path
    found = ctypes.util.find_library("ptk")
    if found:
        out.append(found)
    return out


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(str(e))
    raise ImportError(
        "ptk: cannot load libptk.so (set PTK_LIBRARY to its path, or run `make install`):\n  "
        + "\n  ".join(errors))


# CDLL (not PyDLL): every call releases the GIL, so launches from several
# Python threads run concurrently.
lib, path = _load()


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P = ctypes.c_void_p
version = _fn("ptk_version", ctypes.c_char_p)
err_clear = _fn("ptk_err_clear", None, ctypes.POINTER(Err))
elem_size = _fn("ptk_elem_size", ctypes.c_size_t, ctypes.c_int)
tensor_new = _fn("ptk_tensor_new", P, ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.c_int64))
tensor_wrap = _fn("ptk_tensor_wrap", P, ctypes.c_int, ctypes.c_int,
                  ctypes.POINTER(ctypes.c_int64), P)
tensor_free = _fn("ptk_tensor_free", None, P)
tensor_data = _fn("ptk_tensor_data", P, P)
tensor_type = _fn("ptk_tensor_type", ctypes.c_int, P)
tensor_rank = _fn("ptk_tensor_rank", ctypes.c_int, P)
tensor_shape = _fn("ptk_tensor_shape", ctypes.POINTER(ctypes.c_int64), P)
tensor_numel = _fn("ptk_tensor_numel", ctypes.c_int64, P)
open_ = _fn("ptk_open", P, ctypes.POINTER(Options), ctypes.POINTER(Err))
close = _fn("ptk_close", None, P)
load_file = _fn("ptk_load_file", P, P, ctypes.c_char_p, ctypes.c_char_p,
                ctypes.POINTER(Const), ctypes.c_size_t, ctypes.POINTER(Err))
load_string = _fn("ptk_load_string", P, P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                  ctypes.POINTER(Const), ctypes.c_size_t, ctypes.POINTER(Err))
kernel_name = _fn("ptk_kernel_name", ctypes.c_char_p, P)
kernel_nparams = _fn("ptk_kernel_nparams", ctypes.c_size_t, P)
kernel_param = _fn("ptk_kernel_param", ctypes.POINTER(Param), P, ctypes.c_size_t)
launch = _fn("ptk_launch", ctypes.c_int, P, ctypes.c_uint32, ctypes.POINTER(Arg), ctypes.c_size_t,
             ctypes.POINTER(Err))
call = _fn("ptk_call", ctypes.c_int, P, ctypes.c_uint32, ctypes.POINTER(Arg), ctypes.c_size_t,
           ctypes.POINTER(P), ctypes.c_size_t, ctypes.POINTER(Err))
prog_load_file = _fn("ptk_prog_load_file", P, P, ctypes.c_char_p, ctypes.c_char_p,
                     ctypes.POINTER(Const), ctypes.c_size_t, ctypes.POINTER(Err))
prog_load_string = _fn("ptk_prog_load_string", P, P, ctypes.c_char_p, ctypes.c_char_p,
                       ctypes.c_char_p, ctypes.POINTER(Const), ctypes.c_size_t, ctypes.POINTER(Err))
prog_free = _fn("ptk_prog_free", None, P)
prog_name = _fn("ptk_prog_name", ctypes.c_char_p, P)
prog_nparams = _fn("ptk_prog_nparams", ctypes.c_size_t, P)
prog_param_at = _fn("ptk_prog_param_at", ctypes.POINTER(ProgParam), P, ctypes.c_size_t)
prog_ntasks = _fn("ptk_prog_ntasks", ctypes.c_size_t, P)
prog_launch = _fn("ptk_prog_launch", ctypes.c_int, P, ctypes.POINTER(Arg), ctypes.c_size_t,
                  ctypes.POINTER(Err))
prog_call = _fn("ptk_prog_call", ctypes.c_int, P, ctypes.POINTER(Arg), ctypes.c_size_t,
                ctypes.POINTER(P), ctypes.c_size_t, ctypes.POINTER(Err))


def take_message(err):
    """The message of a ptk_err as str; clears the ptk_err."""
    msg = ctypes.string_at(err.message).decode("utf-8", "replace") if err.message else ""
    err_clear(ctypes.byref(err))
    return msg
