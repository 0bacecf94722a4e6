/* Saved runs: inputs/, outputs/, run.json (see runtime/replay.h). */
#include "runtime/replay.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/build_dir.h"
#include "backend/config.h"
#include "lang/version.h"
#include "runtime/npy.h"

char *ptk_saved_arg_stem(const ptk_func *f, uint32_t k) {
  const ptk_value *v = ptk_func_arg(f, k);
  if (v && v->name && *v->name) return ptk_xasprintf("%u_%s", k, v->name);
  return ptk_xasprintf("%u_arg%u", k, k);
}

/* The host dtype holding a scalar of IR type dt. */
static bool host_dtype(ptk_dtype dt, ptk_tdtype *out) {
  if (ptk_dtype_class_of(dt) == PTK_DTC_INDEX) {
    *out = PTK_TD_I64;
    return true;
  }
  const char *n = ptk_dtype_name(dt);
  return ptk_tdtype_parse(n, strlen(n), out);
}

/* ---- saving ----------------------------------------------------------------------------------- */

static bool is_saved_name(const char *n) {
  size_t i = 0;
  while (n[i] >= '0' && n[i] <= '9') i++;
  size_t len = strlen(n);
  return i > 0 && n[i] == '_' && len > 4 && !strcmp(n + len - 4, ".npy");
}

static bool clear_saved(const char *sub, ptk_diags *d) {
  DIR *dp = opendir(sub);
  if (!dp) return errno == ENOENT;
  bool ok = true;
  struct dirent *de;
  while ((de = readdir(dp))) {
    if (!is_saved_name(de->d_name)) continue;
    char *p = ptk_xasprintf("%s/%s", sub, de->d_name);
    if (unlink(p) && errno != ENOENT) {
      ptk_error_file(d, p, "cannot remove the previous run's file: %s", strerror(errno));
      ok = false;
    }
    free(p);
  }
  closedir(dp);
  return ok;
}

static bool write_npy(const char *path, const ptk_tensor *t, ptk_diags *d) {
  char *err = NULL;
  if (ptk_npy_write(path, t, &err)) {
    ptk_error_file(d, path, "%s", err ? err : "cannot write");
    free(err);
    return false;
  }
  return true;
}

static bool make_sub(const char *dir, const char *name, char **out, ptk_diags *d) {
  *out = ptk_xasprintf("%s/%s", dir, name);
  if (ptk_mkdir_p(*out)) {
    ptk_error_file(d, *out, "cannot create the folder: %s", strerror(errno));
    return false;
  }
  return true;
}

bool ptk_save_run_inputs(const char *dir, const ptk_func *f, const ptk_launch_arg *args,
                         size_t nargs, ptk_diags *d) {
  char *in = NULL, *out = NULL;
  bool ok = make_sub(dir, "inputs", &in, d) && make_sub(dir, "outputs", &out, d);
  char *rj = ptk_xasprintf("%s/run.json", dir);
  if (ok && unlink(rj) && errno != ENOENT) {
    ptk_error_file(d, rj, "cannot remove the previous run's manifest: %s", strerror(errno));
    ok = false;
  }
  free(rj);
  ok = ok && clear_saved(in, d) && clear_saved(out, d);
  for (size_t k = 0; ok && k < nargs && k < f->nargs; k++) {
    char *stem = ptk_saved_arg_stem(f, (uint32_t)k);
    char *path = ptk_xasprintf("%s/%s.npy", in, stem);
    const ptk_launch_arg *a = &args[k];
    if (a->kind == PTK_ARG_TENSOR) {
      ok = a->tensor && write_npy(path, a->tensor, d);
    } else {
      ptk_tdtype td;
      if (!host_dtype(a->dt, &td)) {
        ptk_error_file(d, path, "cannot save a scalar of type %s", ptk_dtype_name(a->dt));
        ok = false;
      } else {
        ptk_tensor *t = ptk_tensor_zeros(td, 0, NULL, NULL);
        if (ptk_dtype_is_float(a->dt))
          ptk_tensor_set_f64(t, 0, a->f);
        else
          ptk_tensor_set_i64(t, 0, a->i);
        ok = write_npy(path, t, d);
        ptk_tensor_free(t);
      }
    }
    free(path);
    free(stem);
  }
  free(in);
  free(out);
  return ok;
}

bool ptk_save_run_outputs(const char *dir, const ptk_func *f, const ptk_launch_arg *args,
                          size_t nargs, const ptk_launch_opts *lo, ptk_diags *d) {
  char *out = NULL;
  bool ok = make_sub(dir, "outputs", &out, d);
  for (size_t k = 0; ok && k < nargs && k < f->nargs; k++) {
    if (args[k].kind != PTK_ARG_TENSOR || !args[k].tensor) continue;
    char *stem = ptk_saved_arg_stem(f, (uint32_t)k);
    char *path = ptk_xasprintf("%s/%s.npy", out, stem);
    ok = write_npy(path, args[k].tensor, d);
    free(path);
    free(stem);
  }
  free(out);
  if (!ok) return false;
  json_t *root = json_object();
  json_object_set_new(root, "format", json_string(PTK_RUN_FORMAT));
  json_object_set_new(root, "format_version", json_integer(PTK_RUN_FORMAT_VERSION));
  json_t *tool = json_object();
  json_object_set_new(tool, "name", json_string("ptk"));
  json_object_set_new(tool, "version", json_string(PTK_VERSION));
  json_object_set_new(root, "tool", tool);
  json_object_set_new(root, "entry", json_string(f->name));
  json_object_set_new(root, "blocks", json_integer(lo && lo->blocks ? lo->blocks : 1));
  json_object_set_new(root, "target", lo && lo->target ? json_string(lo->target) : json_null());
  json_object_set_new(root, "poison", json_boolean(lo && lo->poison));
  char *txt = ptk_json_text(root);
  char *path = ptk_xasprintf("%s/run.json", dir);
  if (ptk_write_file_atomic(path, txt, strlen(txt))) {
    ptk_error_file(d, path, "cannot write: %s", strerror(errno));
    ok = false;
  }
  free(path);
  free(txt);
  return ok;
}

/* ---- reading ---------------------------------------------------------------------------------- */

void ptk_saved_run_free(ptk_saved_run *r) {
  free(r->entry);
  free(r->target);
  memset(r, 0, sizeof *r);
}

int ptk_saved_run_read(const char *dir, ptk_saved_run *out, ptk_diags *d) {
  memset(out, 0, sizeof *out);
  out->blocks = 1;
  char *path = ptk_xasprintf("%s/run.json", dir);
  struct stat st;
  if (stat(path, &st) && errno == ENOENT) {
    free(path);
    return 0;
  }
  json_error_t je;
  json_t *root = NULL;
  int rc = -1;
  size_t jlen;
  char *jtext = ptk_read_file(path, &jlen); /* regular files only, bounded */
  if (!jtext) {
    ptk_error_file(d, path, "cannot read: %s", ptk_file_strerror(errno));
    goto out;
  }
  root = json_loadb(jtext, jlen, 0, &je);
  free(jtext);
  if (!root) {
    if (je.line <= 0)
      ptk_error_file(d, path, "cannot read: %s", je.text);
    else
      ptk_error_file(d, path, "invalid JSON at line %d, column %d: %s", je.line, je.column, je.text);
    goto out;
  }
  const char *what = NULL;
  json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "format_version");
  json_t *blocks = json_object_get(root, "blocks"), *entry = json_object_get(root, "entry");
  json_t *target = json_object_get(root, "target"), *poison = json_object_get(root, "poison");
  if (!json_is_object(root))
    what = "the top level must be an object";
  else if (!json_is_string(fmt) || strcmp(json_string_value(fmt), PTK_RUN_FORMAT))
    what = "\"format\" is not \"" PTK_RUN_FORMAT "\"";
  else if (!json_is_integer(ver) || json_integer_value(ver) != PTK_RUN_FORMAT_VERSION)
    what = "unsupported \"format_version\" (this ptk reads version 1)";
  else if (blocks && (!json_is_integer(blocks) || json_integer_value(blocks) < 1 ||
                      json_integer_value(blocks) > (1 << 24)))
    what = "\"blocks\" must be an integer from 1 to 16777216";
  else if (entry && !json_is_null(entry) && !json_is_string(entry))
    what = "\"entry\" must be a string";
  else if (target && !json_is_null(target) &&
           (!json_is_string(target) ||
            (strcmp(json_string_value(target), "a3") && strcmp(json_string_value(target), "a5"))))
    what = "\"target\" must be \"a3\", \"a5\" or null";
  else if (poison && !json_is_boolean(poison))
    what = "\"poison\" must be true or false";
  if (what) {
    ptk_error_file(d, path, "invalid run manifest: %s", what);
    goto out;
  }
  if (blocks) out->blocks = (uint32_t)json_integer_value(blocks);
  if (json_is_string(entry)) out->entry = ptk_xstrdup(json_string_value(entry));
  if (json_is_string(target)) out->target = ptk_xstrdup(json_string_value(target));
  out->poison = poison && json_is_true(poison);
  rc = 1;
out:
  json_decref(root);
  free(path);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *ptk_saved_find(const char *dir, const char *sub, uint32_t k, ptk_diags *d) {
  char *folder = ptk_xasprintf("%s/%s", dir, sub);
  DIR *dp = opendir(folder);
  if (!dp) {
    free(folder);
    return NULL;
  }
  char prefix[24];
  snprintf(prefix, sizeof prefix, "%u_", k);
  size_t pl = strlen(prefix);
  PTK_VEC(char *) hits = {0};
  struct dirent *de;
  while ((de = readdir(dp)))
    if (!strncmp(de->d_name, prefix, pl) && is_saved_name(de->d_name))
      ptk_vec_push(&hits, ptk_xstrdup(de->d_name));
  closedir(dp);
  char *res = NULL;
  if (hits.len == 1) {
    res = ptk_xasprintf("%s/%s", folder, hits.data[0]);
  } else if (hits.len > 1) {
    qsort(hits.data, hits.len, sizeof *hits.data, cmp_str);
    ptk_error_file(d, folder, "%zu files for parameter %u (%s, %s%s); keep one", hits.len, k,
                   hits.data[0], hits.data[1], hits.len > 2 ? ", …" : "");
  }
  for (size_t i = 0; i < hits.len; i++) free(hits.data[i]);
  ptk_vec_free(&hits);
  free(folder);
  return res;
}

bool ptk_saved_bind(const ptk_func *f, uint32_t k, const char *path, ptk_launch_arg *out,
                    ptk_diags *d) {
  memset(out, 0, sizeof *out);
  const ptk_type *t = f->arg_types[k];
  ptk_dtype pd = PTK_DT_F32;
  bool known = ptk_type_elem_dtype(t, &pd);
  char *err = NULL;
  ptk_tensor *ten = ptk_npy_read(path, known && pd == PTK_DT_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
  if (!ten) {
    ptk_error_loc(d, ptk_func_arg_loc(f, k), "parameter %u: %s", k, err ? err : "cannot read the saved input");
    free(err);
    return false;
  }
  char *ts = ptk_type_str(t);
  bool ok = false;
  if (t->kind == PTK_TY_PTR) {
    if (known && ptk_tdtype_size(ten->dtype) != ptk_dtype_bytes(pd)) {
      ptk_error_loc(d, ptk_func_arg_loc(f, k),
                    "parameter %u: the saved input %s holds %s (%zu-byte elements) but the "
                    "parameter is %s", k, path, ptk_tdtype_name(ten->dtype),
                    ptk_tdtype_size(ten->dtype), ts);
    } else {
      out->kind = PTK_ARG_TENSOR;
      out->tensor = ten;
      ten = NULL;
      ok = true;
    }
  } else if (t->kind == PTK_TY_SCALAR) {
    ptk_tdtype want;
    if (ptk_tensor_numel(ten) != 1) {
      ptk_error_loc(d, ptk_func_arg_loc(f, k),
                    "parameter %u is a scalar (%s) but the saved input %s has %lld elements", k,
                    ts, path, (long long)ptk_tensor_numel(ten));
    } else if (!host_dtype(t->dt, &want) || ten->dtype != want) {
      /* What --save writes for this parameter, exactly: converting another
       * dtype would truncate (300.5 -> 300) or wrap (2^40 -> 0) silently. */
      ptk_error_loc(d, ptk_func_arg_loc(f, k),
                    "parameter %u is a scalar (%s) but the saved input %s holds %s, not %s", k, ts, path, ptk_tdtype_name(ten->dtype),
                    host_dtype(t->dt, &want) ? ptk_tdtype_name(want) : ts);
    } else {
      out->kind = PTK_ARG_SCALAR;
      out->dt = t->dt;
      if (ptk_dtype_is_float(t->dt))
        out->f = ptk_tensor_get_f64(ten, 0);
      else
        out->i = ptk_tensor_get_i64(ten, 0);
      ok = true;
    }
  } else {
    ptk_error_loc(d, ptk_func_arg_loc(f, k), "parameter %u has type %s, which replay cannot bind", k, ts);
  }
  free(ts);
  ptk_tensor_free(ten);
  return ok;
}

/* ---- comparing -------------------------------------------------------------------------------- */

void ptk_tensor_compare(const ptk_tensor *got, const ptk_tensor *exp, bool tol, double rtol,
                        double atol, ptk_tensor_cmp *o) {
  memset(o, 0, sizeof *o);
  o->first = -1;
  size_t es = ptk_tdtype_size(got->dtype);
  o->shape_ok = got->rank == exp->rank && es == ptk_tdtype_size(exp->dtype);
  for (int i = 0; o->shape_ok && i < got->rank; i++)
    if (got->shape[i] != exp->shape[i]) o->shape_ok = false;
  if (!o->shape_ok) return;
  o->n = ptk_tensor_numel(got);
  bool is_float = ptk_tdtype_is_float(got->dtype);
  for (int64_t i = 0; i < o->n; i++) {
    const void *pg = ptk_tensor_at(got, i), *pe = ptk_tensor_at(exp, i);
    bool same_bits = !memcmp(pg, pe, es);
    double g, e;
    if (is_float) {
      g = ptk_tensor_get_f64(got, i);
      e = ptk_tensor_get_f64(exp, i);
    } else {
      g = (double)ptk_tensor_get_i64(got, i);
      e = (double)ptk_tensor_get_i64(exp, i);
    }
    double ad, rd;
    bool both_nan = isnan(g) && isnan(e);
    if (same_bits || both_nan || g == e) {
      ad = rd = 0;
    } else if (isnan(g) || isnan(e) || isinf(g) || isinf(e)) {
      ad = rd = INFINITY;
    } else {
      ad = fabs(g - e);
      rd = e != 0 ? ad / fabs(e) : INFINITY;
    }
    if (ad > o->max_abs) o->max_abs = ad;
    if (rd > o->max_rel) o->max_rel = rd;
    if (!same_bits) o->bit_diffs++;
    bool match = tol ? (both_nan || g == e || (isfinite(ad) && ad <= atol + rtol * fabs(e)))
                     : same_bits;
    if (!match) {
      if (o->first < 0) {
        o->first = i;
        o->got_first = g;
        o->exp_first = e;
      }
      o->mismatches++;
    }
  }
}
