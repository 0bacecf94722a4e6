/* The op-table sweep: every row of lang/ir/ops.def must be covered, so a new
 * row without a lowering or without tests fails `make test`.
 *
 *   roundtrip_every_row  every row (except the builtin.module / func.func
 *                        structure rows) occurs in a .pto file under tests/lit/
 *                        that reads, prints, re-reads to the same text and
 *                        verifies;
 *   noexec_rows          every NOEXEC row has a reason and fails to prepare in
 *                        both engines with "<mnemonic> cannot run on the host:
 *                        <why>" (its instance comes from those lit files);
 *   run_every_call_row   every DPS row lowered to a runtime call runs: a kernel
 *                        is synthesized from the row's SIG and call shape for
 *                        each dtype, run on random inputs through the
 *                        interpreter and the JIT, and the output bytes (or the
 *                        diagnostics) must be identical; each row must run on at
 *                        least one dtype.
 *
 * Kernels of one dtype run batched in one function (one JIT compile per
 * batch) to keep the test fast. */
#include "tests/unit/api_util.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>

#include "backend/verify.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "runtime/jit/jit.h"
#include "tests/unit/e2e_util.h"
#include "tests/unit/jit_cache_util.h"
#include "tests/unit/ut.h"


static char *render(ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (!b.data) ptk_buf_puts(&b, "");
  return ptk_buf_take(&b);
}

/* ===================================================================================================
 * 1. Round trip of the lit .pto files
 * =================================================================================================== */

typedef struct {
  char *path;
  char *text;   /* the file, comment lines blanked */
  bool clean;   /* read, print, re-read, same print, verifies */
  ptk_source *src;
  ptk_module *mod; /* kept when clean (for the NOEXEC check) */
} lit_file;

static lit_file *lits;
static size_t nlits, caplits;

static void collect(const char *dir) {
  DIR *dd = opendir(dir);
  if (!dd) return;
  struct dirent *de;
  while ((de = readdir(dd)) != NULL) {
    if (de->d_name[0] == '.') continue;
    char *p = ptk_xasprintf("%s/%s", dir, de->d_name);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      collect(p);
      free(p);
      continue;
    }
    size_t n = strlen(de->d_name);
    if (n < 4 || strcmp(de->d_name + n - 4, ".pto")) {
      free(p);
      continue;
    }
    if (nlits == caplits) {
      caplits = caplits ? 2 * caplits : 64;
      lits = realloc(lits, caplits * sizeof *lits);
    }
    memset(&lits[nlits], 0, sizeof *lits);
    lits[nlits++].path = p;
  }
  closedir(dd);
}

static ptk_module *read_text(const char *name, const char *text, ptk_source **src, char **diag) {
  *src = ptk_source_from_string(name, text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  ptk_module *m = ptk_pto_read(*src, d);
  *diag = render(d);
  ptk_diags_free(d);
  return m;
}

static char *print_mod(const ptk_module *m) {
  ptk_buf b = {0};
  ptk_pto_print(m, &b);
  if (!b.data) ptk_buf_puts(&b, "");
  return ptk_buf_take(&b);
}

/* read → print → read → print (same text) → verify. */
static bool roundtrip_file(lit_file *lf, const char *raw) {
  char *d1 = NULL, *d2 = NULL, *p1 = NULL, *p2 = NULL;
  ptk_source *s2 = NULL;
  ptk_module *m2 = NULL;
  bool ok = false;
  lf->mod = read_text(lf->path, raw, &lf->src, &d1);
  if (!lf->mod) goto out;
  p1 = print_mod(lf->mod);
  m2 = read_text("printed.pto", p1, &s2, &d2);
  if (!m2) {
    printf("    %s: the printed text does not read back: %s", lf->path, d2);
    goto out;
  }
  p2 = print_mod(m2);
  if (strcmp(p1, p2)) {
    printf("    %s: printing is not a fixpoint\n--- first\n%s--- second\n%s", lf->path, p1, p2);
    goto out;
  }
  ptk_diags *d = ptk_diags_new();
  ok = ptk_verify_module(lf->mod, d);
  ptk_diags_free(d);
out:
  ptk_module_free(m2);
  ptk_source_free(s2);
  free(d1), free(d2), free(p1), free(p2);
  if (!ok) {
    ptk_module_free(lf->mod);
    lf->mod = NULL;
  }
  return ok;
}

static void load_lits(void) {
  if (lits) return;
  collect(au_path("tests/lit"));
  for (size_t i = 0; i < nlits; i++) {
    size_t len;
    char *raw = ptk_read_file(lits[i].path, &len);
    if (!raw) continue;
    lits[i].clean = roundtrip_file(&lits[i], raw);
    /* blank comment lines: CHECK patterns name ops that the file may not hold */
    char *t = strdup(raw);
    for (char *line = t; *line;) {
      char *s = line;
      while (*s == ' ' || *s == '\t') s++;
      char *e = strchr(line, '\n');
      if (!e) e = line + strlen(line);
      if (s[0] == '/' && s[1] == '/') memset(s, ' ', (size_t)(e - s));
      line = *e ? e + 1 : e;
    }
    lits[i].text = t;
    free(raw);
  }
}

__attribute__((destructor)) static void lits_free(void) {
  for (size_t i = 0; i < nlits; i++) {
    ptk_module_free(lits[i].mod);
    ptk_source_free(lits[i].src);
    free(lits[i].path), free(lits[i].text);
  }
  free(lits);
}

/* `name` as an op in text: not preceded by a name character, followed by a
 * blank, '[', '(', '<', '{', '"' (generic form) or the end of the line. */
static bool mentions(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(text, name); p; p = strstr(p + 1, name)) {
    char b = p == text ? ' ' : p[-1];
    if (isalnum((unsigned char)b) || b == '_' || b == '.') continue;
    char c = p[n];
    if (c == ' ' || c == '[' || c == '(' || c == '<' || c == '{' || c == '"' || c == '\n' || c == '\0')
      return true;
  }
  return false;
}

/* Rows that have no instance yet in a clean tests/lit .pto file (mostly
 * NOEXEC rows whose custom or generic syntax still needs a valid example):
 * KNOWN GAPS, not passes. Both the round trip and the NOEXEC check skip them;
 * the test fails when one of them gains an instance (remove it here) and for
 * any row missing that is not listed. */
static const char *const KNOWN_UNCOVERED[] = {
    NULL,
};

static bool known_uncovered(const char *name) {
  for (int i = 0; KNOWN_UNCOVERED[i]; i++)
    if (!strcmp(KNOWN_UNCOVERED[i], name)) return true;
  return false;
}

static bool structure_row(ptk_op_kind k) { return k == PTK_OP_BUILTIN_MODULE || k == PTK_OP_FUNC_FUNC; }

TEST(roundtrip_every_row) {
  load_lits();
  CHECK(nlits > 100);
  int covered = 0, rows = 0;
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    if (structure_row((ptk_op_kind)k)) continue;
    rows++;
    const char *name = ptk_op_table[k].name;
    /* func.return is written `return` */
    const char *alias = k == PTK_OP_FUNC_RETURN ? "return" : NULL;
    bool any = false, clean = false;
    for (size_t i = 0; i < nlits && !clean; i++) {
      if (!lits[i].text) continue;
      if (!mentions(lits[i].text, name) && !(alias && mentions(lits[i].text, alias))) continue;
      any = true;
      clean = lits[i].clean;
    }
    if (known_uncovered(name)) {
      if (!CHECK(!clean)) printf("    op-table row %s now has a clean instance: remove it from KNOWN_UNCOVERED\n", name);
    } else if (clean) {
      covered++;
    } else {
      CHECK(clean);
      printf("    op-table row %s: %s\n", name,
             any ? "every tests/lit .pto file holding it fails to read, round-trip or verify"
                 : "no instance in any tests/lit .pto file (add one)");
    }
  }
  printf("    round trip: %d of %d rows covered\n", covered, rows);
}

/* ---- NOEXEC rows ---------------------------------------------------------------------------------- */

static const ptk_func *func_with(const ptk_module *m, ptk_op_kind k);

static bool region_has(const ptk_region *r, ptk_op_kind k) {
  for (const ptk_block *b = r ? r->first : NULL; b; b = b->next)
    for (const ptk_op *op = b->first; op; op = op->next) {
      if (op->kind == k) return true;
      for (uint32_t i = 0; i < op->nregions; i++)
        if (region_has(&op->regions[i], k)) return true;
    }
  return false;
}

static const ptk_func *func_with(const ptk_module *m, ptk_op_kind k) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    const ptk_module_item *it = &m->items[i];
    if (it->kind == PTK_ITEM_FUNC) {
      if (it->func->body && region_has(it->func->body, k)) return it->func;
    } else {
      const ptk_func *f = func_with(it->module, k);
      if (f) return f;
    }
  }
  return NULL;
}

TEST(noexec_rows) {
  load_lits();
  int n = 0;
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    const ptk_op_info *info = &ptk_op_table[k];
    if (info->lower != PTK_LOWER_NOEXEC) continue;
    n++;
    if (!CHECK(info->why && info->why[0])) printf("    NOEXEC row %s has no reason\n", info->name);
    const ptk_func *f = NULL;
    for (size_t i = 0; i < nlits && !f; i++)
      if (lits[i].mod) f = func_with(lits[i].mod, (ptk_op_kind)k);
    if (!f && known_uncovered(info->name)) continue;
    if (!CHECK(f != NULL)) {
      printf("    NOEXEC row %s: no function holding it in a clean tests/lit .pto file\n", info->name);
      continue;
    }
    char *want = ptk_xasprintf("%s cannot run on the host: %s", info->name, info->why ? info->why : "");
    for (int e = 0; e < 2; e++) {
      ptk_diags *d = ptk_diags_new();
      bool prepared;
      if (e == 0) {
        ptk_interp_prog *p = ptk_interp_prepare(f, d);
        prepared = p != NULL;
        ptk_interp_free(p);
      } else {
        ptk_jit_opts jo = jopts();
        ptk_jit_prog *p = ptk_jit_prepare(f, &jo, d);
        prepared = p != NULL;
        ptk_jit_free(p);
      }
      char *got = render(d);
      ptk_diags_free(d);
      if (!CHECK(!prepared) || !CHECK(strstr(got, want) != NULL))
        printf("    NOEXEC row %s (%s): wanted \"%s\", got:\n%s", info->name, e ? "jit" : "interp", want,
               got);
      free(got);
    }
    free(want);
  }
  CHECK(n > 0);
}

/* ===================================================================================================
 * 2. Running every CALL row on both engines
 * =================================================================================================== */

typedef struct {
  const char *ir;  /* spelling in types: "f32", "ui8" */
  ptk_tdtype td;
  bool isfloat;
  int bytes;
} sdt;

static const sdt DTS[] = {
    {"f32", PTK_TD_F32, true, 4},  {"f16", PTK_TD_F16, true, 2}, {"bf16", PTK_TD_BF16, true, 2},
    {"i32", PTK_TD_I32, false, 4}, {"i16", PTK_TD_I16, false, 2}, {"i8", PTK_TD_I8, false, 1},
    {"ui8", PTK_TD_U8, false, 1},
};
#define NDT ((int)(sizeof DTS / sizeof DTS[0]))

/* Byte formats (runtime/isa "Byte formats"): only the MX instances use them;
 * their arguments are random bytes. The wide unsigned types: only thistogram's. */
static const sdt XDT[] = {
    {"f8E4M3FN", PTK_TD_U8, false, 1}, {"f8E5M2", PTK_TD_U8, false, 1}, {"!pto.f8E8M0", PTK_TD_U8, false, 1},
    {"ui16", PTK_TD_U16, false, 2},    {"ui32", PTK_TD_U32, false, 4}};

static const sdt *dt_of(const char *ir) {
  for (int i = 0; i < NDT; i++)
    if (!strcmp(DTS[i].ir, ir)) return &DTS[i];
  for (size_t i = 0; i < sizeof XDT / sizeof XDT[0]; i++)
    if (!strcmp(XDT[i].ir, ir)) return &XDT[i];
  return NULL;
}

/* One operand of a synthesized op. */
typedef enum { OP_TILE, OP_SCALAR } opnd_kind;
typedef struct {
  opnd_kind kind;
  char type[160];  /* tile: !pto.tile_buf<…>; scalar: its type */
  char value[48];  /* scalar: the constant's text */
  const sdt *dt;   /* tile element type */
  int vr, vc;      /* tile valid shape (= its global tensor) */
  char loc[8];
  bool view;       /* passed as its partition view (mgather's table, mscatter's out) */
} opnd;

typedef struct {
  const ptk_op_info *info;
  int nins, nouts;
  opnd ins[6], outs[5];
  char in_attr[96];   /* attribute dictionary after the last in operand */
  char tail_attr[96]; /* after outs(…) */
} inst;

static opnd tile(const char *loc, int rows, int cols, const char *dt, int vr, int vc, const char *extra) {
  opnd o;
  memset(&o, 0, sizeof o);
  o.kind = OP_TILE;
  o.dt = dt_of(dt);
  o.vr = vr, o.vc = vc;
  snprintf(o.loc, sizeof o.loc, "%s", loc);
  char valid[32] = "";
  if (vr != rows || vc != cols) snprintf(valid, sizeof valid, ", valid=%dx%d", vr, vc);
  snprintf(o.type, sizeof o.type, "!pto.tile_buf<%s, %dx%dx%s%s%s%s>", loc, rows, cols, dt, valid,
           extra && extra[0] ? ", " : "", extra ? extra : "");
  return o;
}

static opnd scalar(const char *type, const char *value) {
  opnd o;
  memset(&o, 0, sizeof o);
  o.kind = OP_SCALAR;
  snprintf(o.type, sizeof o.type, "%s", type);
  snprintf(o.value, sizeof o.value, "%s", value);
  return o;
}

/* The common shapes: an 8x32 tile with valid 5x29 (odd on both axes). */
#define R 8
#define C 32
#define VR 5
#define VC 29
static opnd elem(const char *dt) { return tile("vec", R, C, dt, VR, VC, NULL); }
static opnd rowv(const char *dt) { return tile("vec", R, 1, dt, VR, 1, "blayout=col_major"); }
static opnd colv(const char *dt) { return tile("vec", 1, C, dt, 1, VC, NULL); }

/* The scalar operand for SIG letter `l` next to tiles of dtype d. */
static opnd sig_scalar(char l, const sdt *d) {
  switch (l) {
  case 'x':
    return scalar("index", "7");
  case 'f':
    return scalar("f32", "0.75");
  case 'n':
    return d->isfloat ? scalar("i32", "3") : scalar(d->ir, "3");
  default: /* s, a: the tile's dtype */
    return scalar(d->ir, d->isfloat ? "1.5" : "3");
  }
}

/* The SIG's operand letters (optional ones dropped) for ins and outs. */
static void sig_letters(const char *sig, char *ins, char *outs) {
  char *w = ins;
  size_t ni = 0, no = 0;
  for (const char *p = sig; *p && *p != '>'; p++) {
    if (*p == ':') {
      w[w == ins ? ni : no] = 0;
      w = outs;
      continue;
    }
    if (*p == '?' || *p == '*') continue;
    if (p[1] == '?') continue;
    if (w == ins)
      ins[ni++] = *p;
    else
      outs[no++] = *p;
  }
  ins[ni] = 0;
  outs[no] = 0;
}

/* Variants of one row at one dtype: fills *it, false when there are no more.
 * Keyed on the call shape; the operand letters come from the SIG. */
static bool make_inst(const ptk_op_info *info, const sdt *d, int variant, inst *it) {
  memset(it, 0, sizeof *it);
  it->info = info;
  char ins[16], outs[8];
  sig_letters(info->sig, ins, outs);
  const char *t = d->ir;
  int ni = 0;
#define IN(x) (it->ins[ni++] = (x))
#define OUT(x) (it->outs[it->nouts++] = (x))
  switch (info->shape) {
  case PTK_CALL_UNARY:
  case PTK_CALL_BINARY:
  case PTK_CALL_BIN_TS:
  case PTK_CALL_BIN_ST:
  case PTK_CALL_TADDC:
  case PTK_CALL_TSUBC:
  case PTK_CALL_TADDSC:
  case PTK_CALL_TSUBSC:
  case PTK_CALL_TAXPY:
  case PTK_CALL_TPART:
  case PTK_CALL_TEXPANDS:
  case PTK_CALL_TMOV:
    if (variant > 0) return false;
    for (const char *l = ins; *l; l++) {
      /* tdivs "aa": tile, scalar */
      char c = (info->shape == PTK_CALL_BIN_TS && l != ins && *l == 'a') ? 's' : *l;
      if (c == 'a' || c == 't')
        IN(elem(t));
      else
        IN(sig_scalar(c, d));
    }
    OUT(elem(t));
    break;
  case PTK_CALL_ROWRED:
  case PTK_CALL_COLRED: {
    if (variant > 0) return false;
    bool arg = info->sub && strstr(info->sub, "ARG");
    IN(elem(t));
    for (const char *l = ins + 1; *l; l++) IN(elem(t)); /* the tmp tile */
    const char *od = arg ? "i32" : t;
    OUT(info->shape == PTK_CALL_ROWRED ? rowv(od) : colv(od));
    break;
  }
  case PTK_CALL_ROWEXP:
  case PTK_CALL_COLEXP:
    if (variant > 0) return false;
    IN(info->shape == PTK_CALL_ROWEXP ? rowv(t) : colv(t));
    OUT(elem(t));
    break;
  case PTK_CALL_ROWEXP_OP:
  case PTK_CALL_COLEXP_OP:
    if (variant > 0) return false;
    IN(elem(t));
    IN(info->shape == PTK_CALL_ROWEXP_OP ? rowv(t) : colv(t));
    OUT(elem(t));
    break;
  case PTK_CALL_MATMUL:
  case PTK_CALL_MATMUL_ACC:
  case PTK_CALL_MATMUL_BIAS: {
    const char *acc = !strcmp(t, "i8") ? "i32" : (!strcmp(t, "f16") || !strcmp(t, "bf16") || !strcmp(t, "f32")) ? "f32" : NULL;
    if (!acc || variant > 1) return false;
    int m = variant == 0 ? 5 : 1; /* gemv: one row */
    opnd l = tile("left", 16, 32, t, m, 29, "slayout=row_major");
    opnd r = tile("right", 32, 16, t, 29, 13, "slayout=col_major");
    opnd a = tile("acc", 16, 16, acc, m, 13, "blayout=col_major, slayout=row_major, fractal=1024");
    if (info->shape == PTK_CALL_MATMUL_ACC) IN(a);
    IN(l);
    IN(r);
    if (info->shape == PTK_CALL_MATMUL_BIAS) IN(tile("bias", 1, 16, acc, 1, 13, NULL));
    OUT(a);
    break;
  }
  case PTK_CALL_TCVT: {
    /* every destination dtype */
    int v = 0;
    for (int i = 0; i < NDT; i++) {
      if (&DTS[i] == d) continue;
      if (v++ == variant) {
        IN(elem(t));
        OUT(elem(DTS[i].ir));
        goto done;
      }
    }
    return false;
  }
  case PTK_CALL_TCMP:
  case PTK_CALL_TCMPS:
    if (variant > 1) return false;
    IN(elem(t));
    IN(info->shape == PTK_CALL_TCMP ? elem(t) : sig_scalar('s', d));
    OUT(tile("vec", R, variant ? 64 : 32, "ui8", VR, VC, NULL));
    break;
  case PTK_CALL_TSEL:
  case PTK_CALL_TSELS:
    if (variant > 1) return false;
    IN(tile("vec", R, variant ? 64 : 32, "ui8", VR, VC, NULL));
    IN(elem(t));
    IN(elem(t));
    IN(info->shape == PTK_CALL_TSEL ? elem(t) : sig_scalar('s', d));
    OUT(elem(t));
    break;
  case PTK_CALL_TCI:
    if (variant > 0) return false;
    IN(sig_scalar('n', d));
    OUT(colv(t));
    break;
  case PTK_CALL_TTRI:
    if (variant > 0) return false;
    IN(scalar("i32", "2"));
    snprintf(it->in_attr, sizeof it->in_attr, "{upperOrLower = 1 : i32}");
    OUT(elem(t));
    break;
  case PTK_CALL_TSETVAL:
    if (variant > 0) return false;
    IN(sig_scalar('x', d));
    IN(sig_scalar('s', d));
    OUT(elem(t));
    break;
  case PTK_CALL_TEXTRACT:
    if (variant == 0) {
      IN(elem(t));
      OUT(tile("vec", R, C, t, 3, 13, NULL));
    } else if (variant == 1) {
      IN(tile("mat", 16, 64, t, 16, 64, "blayout=col_major, slayout=row_major"));
      OUT(tile("left", 16, 16, t, 16, 16, "slayout=row_major"));
    } else {
      return false;
    }
    IN(scalar("index", "1"));
    IN(scalar("index", "2"));
    break;
  case PTK_CALL_TINSERT:
    if (variant > 0) return false;
    IN(tile("vec", R, C, t, 3, 13, NULL));
    IN(scalar("index", "1"));
    IN(scalar("index", "2"));
    OUT(elem(t));
    break;
  case PTK_CALL_TTRANS:
    if (variant > 0) return false;
    IN(elem(t));
    IN(elem(t));
    OUT(tile("vec", C, C, t, VC, VR, NULL));
    break;
  case PTK_CALL_TFILLPAD:
    if (variant > 1) return false;
    IN(elem(t));
    OUT(tile("vec", R, C, t, variant ? VR : R, C, variant ? "pad=1" : "pad=2"));
    break;
  case PTK_CALL_TCONCAT:
    if (variant > 0) return false;
    IN(tile("vec", R, C, t, VR, 13, NULL));
    IN(tile("vec", R, C, t, VR, 10, NULL));
    OUT(tile("vec", R, C, t, VR, 23, NULL));
    break;
  case PTK_CALL_TSORT32:
    /* 0: whole 32-blocks, idx shared by the rows; 1: a short tail block
     * (with tmp), one idx row per row */
    if (variant > 1) return false;
    IN(tile("vec", R, 64, t, VR, variant ? VC : 64, NULL));
    IN(tile("vec", variant ? R : 1, 64, "i32", variant ? VR : 1, variant ? VC : 64, NULL));
    if (variant) IN(tile("vec", 1, 64, t, 1, 64, NULL));
    OUT(tile("vec", R, 256, t, VR, variant ? 4 * VC : 256, NULL));
    break;
  case PTK_CALL_TMRGSORT:
    /* format 1 (ins(src, blockLen)); format 2 needs a vector<4xi16>
     * `executed` value, which the engines do not hold (tests/lit/run/sort.pto) */
    if (variant > 0) return false;
    IN(tile("vec", 1, 256, t, 1, 256, NULL));
    IN(scalar("i32", "64"));
    OUT(tile("vec", 1, 256, t, 1, 256, NULL));
    break;
  case PTK_CALL_TGATHER:
    /* 0: index form (indices cover src and beyond: out of range gives 0);
     * 1: mask form P0101 into a dst of half the columns */
    if (variant > 1) return false;
    IN(elem(t));
    if (variant == 0) {
      IN(tile("vec", R, C, "i32", VR, VC, NULL));
      OUT(elem(t));
    } else {
      snprintf(it->in_attr, sizeof it->in_attr, "{maskPattern = #pto.mask_pattern<P0101>}");
      OUT(tile("vec", R, C / 2, t, R, C / 2, NULL));
    }
    break;
  case PTK_CALL_TGATHERB:
    if (variant > 0) return false;
    IN(elem(t));
    IN(tile("vec", R, C, "i32", VR, 8, NULL));
    OUT(tile("vec", R, C, t, VR, 32 / d->bytes, NULL));
    break;
  case PTK_CALL_TSCATTER:
    /* random indices in ±1..60: the negative ones write nothing */
    if (variant > 0) return false;
    IN(tile("vec", R, C, t, VR, VC, NULL));
    IN(tile("vec", R, C, "i32", VR, VC, NULL));
    OUT(elem(t));
    break;
  case PTK_CALL_TDEQUANT:
    /* the integer source in the dtype under test (i8 and i16 run), f32 out */
    if (variant > 0) return false;
    IN(elem(t));
    IN(tile("vec", R, 8, "f32", VR, 8, NULL));
    IN(tile("vec", R, 8, "f32", VR, 8, NULL));
    OUT(elem("f32"));
    break;
  case PTK_CALL_MATMUL_MX:
  case PTK_CALL_MATMUL_MX_ACC:
  case PTK_CALL_MATMUL_MX_BIAS: {
    /* random fp8 and scale bytes (NaN and inf included): the engines must agree */
    if (strcmp(t, "ui8") || variant > 1) return false;
    int m = variant == 0 ? 16 : 1; /* gemv: one row, a one-row scale tile */
    opnd a = tile("acc", 16, 32, "f32", m, 32, "blayout=col_major, slayout=row_major, fractal=1024");
    if (info->shape == PTK_CALL_MATMUL_MX_ACC) IN(a);
    IN(tile("left", 16, 64, "f8E4M3FN", m, 64, "slayout=row_major"));
    IN(tile("scaling", m, 2, "!pto.f8E8M0", m, 2, "slayout=row_major, fractal=32"));
    IN(tile("right", 64, 32, "f8E5M2", 64, 32, "slayout=col_major"));
    IN(tile("scaling", 2, 32, "!pto.f8E8M0", 2, 32, "blayout=col_major, slayout=col_major, fractal=32"));
    if (info->shape == PTK_CALL_MATMUL_MX_BIAS) IN(tile("bias", 1, 32, "f32", 1, 32, NULL));
    OUT(a);
    break;
  }
  case PTK_CALL_TQUANT:
    /* i8: INT8_SYM; ui8: INT8_ASYM (with the offset tile) */
    if ((strcmp(t, "i8") && strcmp(t, "ui8")) || variant > 0) return false;
    IN(elem("f32"));
    IN(rowv("f32"));
    if (!strcmp(t, "ui8")) IN(rowv("f32"));
    snprintf(it->tail_attr, sizeof it->tail_attr, "{quant_type = #pto<quant_type INT8_%s>}",
             strcmp(t, "i8") ? "ASYM" : "SYM");
    OUT(elem(t));
    break;
  case PTK_CALL_TQUANT_MX:
    if (strcmp(t, "i8") || variant > 0) return false;
    IN(tile("vec", 2, 64, "f32", 2, 64, NULL));
    OUT(tile("vec", 2, 64, "i8", 2, 64, NULL));
    OUT(tile("vec", 1, 32, "ui8", 1, 4, NULL));
    OUT(tile("vec", 1, 8, "f32", 1, 4, NULL));
    OUT(tile("vec", 1, 8, "f32", 1, 4, NULL));
    snprintf(it->tail_attr, sizeof it->tail_attr, "{quant_type = #pto<quant_type MXFP8>}");
    break;
  case PTK_CALL_TCONCATIDX:
    /* random counts (+-1..60): negative ones copy nothing, large ones clamp */
    if (variant > 0) return false;
    IN(tile("vec", R, C, t, VR, 13, NULL));
    IN(tile("vec", R, C, t, VR, 10, NULL));
    IN(tile("vec", R, 8, "i32", VR, 1, NULL));
    IN(tile("vec", R, 8, "i32", VR, 1, NULL));
    OUT(tile("vec", R, C, t, VR, 23, NULL));
    break;
  case PTK_CALL_TPARTARG:
    /* src1 smaller than src0: the partial rule on both sides */
    if (variant > 0) return false;
    IN(elem(t));
    IN(tile("vec", R, C, t, VR - 1, VC - 3, NULL));
    IN(tile("vec", R, C, "i32", VR, VC, NULL));
    IN(tile("vec", R, C, "i32", VR - 1, VC - 3, NULL));
    OUT(elem(t));
    OUT(tile("vec", R, C, "i32", VR, VC, NULL));
    break;
  case PTK_CALL_MGATHER:
  case PTK_CALL_MSCATTER: {
    /* elem mode over an R x C table; random indices wrap */
    if (variant > 0) return false;
    opnd tab = elem(t);
    tab.view = true;
    if (info->shape == PTK_CALL_MGATHER) {
      IN(tab);
      IN(tile("vec", R, C, "i32", VR, VC, NULL));
      OUT(elem(t));
      snprintf(it->tail_attr, sizeof it->tail_attr, "{coalesce = #pto<coalesce elem>, gatherOob = #pto<gather_oob wrap>}");
    } else {
      IN(elem(t));
      IN(tile("vec", R, C, "i32", VR, VC, NULL));
      OUT(tab);
      snprintf(it->tail_attr, sizeof it->tail_attr, "{coalesce = #pto<coalesce elem>, scatterOob = #pto<scatter_oob wrap>}");
    }
    break;
  }
  case PTK_CALL_THISTOGRAM:
    /* ui32 bytes 3..0 (variants 0..3; idx rows 0..2 filter) and ui16 bytes 1, 0 (4, 5;
     * a per-row col-major idx), once, for the ui8 run: the source types are fixed */
    if (variant > 5 || strcmp(t, "ui8")) return false;
    if (variant < 4) {
      IN(tile("vec", R, 64, "ui32", VR, 61, NULL));
      IN(tile("vec", 3, 64, "ui8", 3, 64, NULL));
    } else {
      IN(tile("vec", R, 64, "ui16", VR, 61, NULL));
      IN(tile("vec", 32, 1, "ui8", VR, 1, "blayout=col_major"));
    }
    snprintf(it->tail_attr, sizeof it->tail_attr, "{byte = %d : i32}", variant < 4 ? 3 - variant : 5 - variant);
    OUT(tile("vec", R, 256, "ui32", VR, 256, NULL));
    break;
  case PTK_CALL_TRANDOM:
    /* key and counter words; runs for i32 (and would for ui32) */
    if (variant > 0) return false;
    for (int w = 0; w < 6; w++) IN(scalar("i32", w & 1 ? "-7" : "12345"));
    OUT(elem(t));
    break;
  default:
    return false; /* a shape this sweep does not know: reported by the caller */
  }
done:
  it->nins = ni;
#undef IN
#undef OUT
  return true;
}

/* ---- kernel text -------------------------------------------------------------------------------- */

enum { MAXC = 2048, BATCH = 48 };

typedef struct {
  ptk_buf args, body;
  int nargs;
  const opnd *argt[BATCH * 8]; /* the tile behind each pointer argument */
  int out_arg[BATCH];       /* per instance: its destination's argument */
  int ninst;
  bool used[512]; /* index constants %cN (shapes stay below 512) */
} kbuild;

static int ktile(kbuild *k, const opnd *o, int id) {
  int a = k->nargs++;
  k->argt[a] = o;
  const char *dt = o->dt->ir;
  ptk_buf_printf(&k->args, "%s%%g%d: !pto.ptr<%s>", a ? ", " : "", a, dt);
  /* one constant per value: a duplicated constant trips canonicalize (see the report) */
  k->used[o->vr] = k->used[o->vc] = true;
  ptk_buf_printf(&k->body,
                 "    %%v%d = pto.make_tensor_view %%g%d, shape = [%%c%d, %%c%d], strides = [%%c%d, %%c1] : !pto.tensor_view<?x?x%s>\n"
                 "    %%p%d = pto.partition_view %%v%d, offsets = [%%c0, %%c0], sizes = [%%c%d, %%c%d] : !pto.tensor_view<?x?x%s> -> !pto.partition_tensor_view<%dx%dx%s>\n"
                 "    %%t%d = pto.alloc_tile : %s\n",
                 a, a, o->vr, o->vc, o->vc, dt, a, a, o->vr, o->vc, dt, o->vr, o->vc, dt, id, o->type);
  bool cube = strcmp(o->loc, "vec") && strcmp(o->loc, "mat");
  if (!strcmp(o->loc, "acc")) return a; /* tload cannot fill an acc tile: it starts as zeros */
  char stage[160];
  snprintf(stage, sizeof stage, "%s", o->type);
  if (!strcmp(o->loc, "scaling")) { /* MX scales: a mat tile of the same layout, then tmov */
    const char *lt = strstr(o->type, o->loc) + strlen(o->loc);
    snprintf(stage, sizeof stage, "!pto.tile_buf<mat%s", lt);
    ptk_buf_printf(&k->body, "    %%m%d = pto.alloc_tile : %s\n", id, stage);
  } else if (cube) { /* left, right, bias: tload into a mat tile, then tmov */
    const char *lt = strstr(o->type, o->loc) + strlen(o->loc);
    snprintf(stage, sizeof stage, "!pto.tile_buf<mat%.*s, blayout=col_major, slayout=row_major>",
             (int)(strchr(lt, '>') - lt), lt);
    char *sl = strstr(stage, ", slayout=row_major, blayout"); /* drop the source's own slayout */
    if (!sl) sl = strstr(stage, ", slayout=col_major, blayout");
    if (sl) memmove(sl, sl + 19, strlen(sl + 19) + 1);
    ptk_buf_printf(&k->body, "    %%m%d = pto.alloc_tile : %s\n", id, stage);
  }
  ptk_buf_printf(&k->body, "    pto.tload ins(%%p%d : !pto.partition_tensor_view<%dx%dx%s>) outs(%%%c%d : %s)\n", a,
                 o->vr, o->vc, dt, cube ? 'm' : 't', id, stage);
  if (cube)
    ptk_buf_printf(&k->body, "    pto.tmov ins(%%m%d : %s) outs(%%t%d : %s)\n", id, stage, id, o->type);
  return a;
}

static void kinst(kbuild *k, const inst *it) {
  int base = k->nargs;
  int ids[8];
  for (int i = 0; i < it->nins; i++)
    if (it->ins[i].kind == OP_TILE)
      ids[i] = ktile(k, &it->ins[i], k->nargs);
  int oas[5];
  for (int o = 0; o < it->nouts; o++) oas[o] = ktile(k, &it->outs[o], k->nargs);
  int oa = oas[0];
  ptk_buf_printf(&k->body, "    pto.%s ins(", it->info->name + 4);
  for (int i = 0; i < it->nins; i++) {
    if (it->ins[i].kind == OP_TILE)
      ptk_buf_printf(&k->body, "%s%%%c%d", i ? ", " : "", it->ins[i].view ? 'p' : 't', ids[i]);
    else {
      ptk_buf_printf(&k->body, "%s%%s%d_%d", i ? ", " : "", base, i);
    }
  }
  if (it->in_attr[0]) ptk_buf_printf(&k->body, " %s", it->in_attr);
  ptk_buf_puts(&k->body, " : ");
  for (int i = 0; i < it->nins; i++) {
    const opnd *x = &it->ins[i];
    if (x->view)
      ptk_buf_printf(&k->body, "%s!pto.partition_tensor_view<%dx%dx%s>", i ? ", " : "", x->vr, x->vc, x->dt->ir);
    else
      ptk_buf_printf(&k->body, "%s%s", i ? ", " : "", x->type);
  }
  ptk_buf_puts(&k->body, ") outs(");
  for (int o = 0; o < it->nouts; o++)
    ptk_buf_printf(&k->body, "%s%%%c%d", o ? ", " : "", it->outs[o].view ? 'p' : 't', oas[o]);
  ptk_buf_puts(&k->body, " : ");
  for (int o = 0; o < it->nouts; o++) {
    const opnd *x = &it->outs[o];
    if (x->view)
      ptk_buf_printf(&k->body, "%s!pto.partition_tensor_view<%dx%dx%s>", o ? ", " : "", x->vr, x->vc, x->dt->ir);
    else
      ptk_buf_printf(&k->body, "%s%s", o ? ", " : "", x->type);
  }
  ptk_buf_puts(&k->body, ")");
  if (it->tail_attr[0]) ptk_buf_printf(&k->body, " %s", it->tail_attr);
  ptk_buf_puts(&k->body, "\n");
  for (int o = 0; o < it->nouts; o++)
    if (!it->outs[o].view) /* a view out was written by the op itself */
      ptk_buf_printf(&k->body, "    pto.tstore ins(%%t%d : %s) outs(%%p%d : !pto.partition_tensor_view<%dx%dx%s>)\n",
                     oas[o], it->outs[o].type, oas[o], it->outs[o].vr, it->outs[o].vc, it->outs[o].dt->ir);
  k->out_arg[k->ninst++] = oa;
}

/* scalar constants go before their use: emitted in a prefix */
static char *ktext(const inst *const *its, int n, kbuild *k) {
  memset(k, 0, sizeof *k);
  ptk_buf consts = {0};
  for (int j = 0; j < n; j++) {
    int base = k->nargs;
    for (int i = 0; i < its[j]->nins; i++)
      if (its[j]->ins[i].kind == OP_SCALAR)
        ptk_buf_printf(&consts, "    %%s%d_%d = arith.constant %s : %s\n", base, i, its[j]->ins[i].value,
                       its[j]->ins[i].type);
    kinst(k, its[j]);
  }
  for (int v = 0; v < (int)(sizeof k->used / sizeof k->used[0]); v++)
    if (k->used[v] || v < 2) ptk_buf_printf(&consts, "    %%c%d = arith.constant %d : index\n", v, v);
  char *s = ptk_xasprintf("module {\n  func.func @k(%s) {\n%s%s    return\n  }\n}\n",
                          k->args.data ? k->args.data : "", consts.data ? consts.data : "",
                          k->body.data ? k->body.data : "");
  ptk_buf_free(&consts);
  ptk_buf_free(&k->args);
  ptk_buf_free(&k->body);
  return s;
}

/* ---- loading and running ------------------------------------------------------------------------- */

typedef struct {
  ptk_source *src;
  ptk_loaded *l;
  char *diag;
} kload;

static bool kl_load(kload *kl, const char *text) {
  memset(kl, 0, sizeof *kl);
  kl->src = ptk_source_from_string("sweep.pto", text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  kl->l = ptk_kernel_load(NULL, kl->src, NULL, NULL, 0, NULL, d);
  kl->diag = render(d);
  ptk_diags_free(d);
  return kl->l != NULL;
}

static void kl_free(kload *kl) {
  ptk_loaded_free(kl->l);
  ptk_source_free(kl->src);
  free(kl->diag);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static ptk_tensor *random_tensor(const opnd *o) {
  int64_t shape[2] = {o->vr, o->vc};
  ptk_tensor *t = ptk_tensor_zeros(o->dt->td, 2, shape, NULL);
  for (int64_t i = 0; i < (int64_t)o->vr * o->vc; i++) {
    if (o->dt->isfloat) {
      ptk_tensor_set_f64(t, i, ((int)(rnd() % 2001) - 1000) / 256.0);
    } else if (o->dt->td == PTK_TD_U8) {
      ptk_tensor_set_i64(t, i, 1 + rnd() % 200);
    } else {
      int v = 1 + (int)(rnd() % 60); /* never zero: integer division */
      ptk_tensor_set_i64(t, i, rnd() & 1 ? -v : v);
    }
  }
  return t;
}

typedef struct {
  int rc[2];
  char *diag[2];
  ptk_launch_arg *a[2];
  size_t n;
} run2;

static void run_engines(const ptk_func *f, const kbuild *k, run2 *r, int which) {
  r->n = (size_t)k->nargs;
  ptk_launch_arg *base = calloc(r->n + 1, sizeof *base);
  for (size_t i = 0; i < r->n; i++) base[i] = e2e_t(random_tensor(k->argt[i]));
  for (int e = 0; e < 2; e++) {
    r->a[e] = NULL, r->diag[e] = NULL, r->rc[e] = -2;
    if (!(which & (1 << e))) continue;
    r->a[e] = calloc(r->n + 1, sizeof *r->a[e]);
    for (size_t i = 0; i < r->n; i++) r->a[e][i] = e2e_t(ptk_tensor_clone(base[i].tensor));
    ptk_diags *d = ptk_diags_new();
    ptk_launch_opts o;
    memset(&o, 0, sizeof o);
    o.blocks = 1;
    if (e == 0) {
      r->rc[e] = ptk_interp_launch(f, &o, r->a[e], r->n, d);
    } else {
      ptk_jit_opts jo = jopts();
      r->rc[e] = ptk_jit_launch(f, &jo, &o, r->a[e], r->n, d);
    }
    r->diag[e] = render(d);
    ptk_diags_free(d);
  }
  for (size_t i = 0; i < r->n; i++) ptk_tensor_free(base[i].tensor);
  free(base);
}

static void run2_free(run2 *r) {
  for (int e = 0; e < 2; e++) {
    for (size_t i = 0; r->a[e] && i < r->n; i++) ptk_tensor_free(r->a[e][i].tensor);
    free(r->a[e]);
    free(r->diag[e]);
  }
}

static void print_tensor(const char *what, const ptk_tensor *t) {
  printf("      %s:", what);
  int64_t n = ptk_tensor_numel(t);
  for (int64_t i = 0; i < n && i < 64; i++) printf(" %.9g", ptk_tensor_get_f64(t, i));
  printf("%s\n", n > 64 ? " …" : "");
}

/* ---- known engine mismatches ------------------------------------------------------------------- */

/* Rows × dtypes whose interpreter and JIT results differ, with the reason.
 * The test fails when one of these starts to agree (remove it here) or when a
 * mismatch not listed appears. */
static const struct {
  const char *op, *dtype, *why;
} KNOWN_MISMATCH[] = {
    {NULL, NULL, NULL},
};

static int known_index(const char *op, const char *dt) {
  for (int i = 0; KNOWN_MISMATCH[i].op; i++)
    if (!strcmp(KNOWN_MISMATCH[i].op, op) && !strcmp(KNOWN_MISMATCH[i].dtype, dt)) return i;
  return -1;
}

/* ---- the sweep ---------------------------------------------------------------------------------- */

typedef struct {
  inst it;
  const sdt *d;
} cand;


TEST(run_every_call_row) {
  static cand cands[MAXC];
  int ncand = 0;
  int ok_rows = 0, rows = 0;
  bool row_ok[PTK_OP__COUNT] = {0};
  bool row_mismatch[PTK_OP__COUNT][NDT];
  memset(row_mismatch, 0, sizeof row_mismatch);
  int jit_compiles = 0;
  bool fail_checked[PTK_OP__COUNT] = {0};

  /* 1. every (row, dtype, variant) that loads */
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    const ptk_op_info *info = &ptk_op_table[k];
    if (info->lower != PTK_LOWER_CALL || info->family != PTK_FAM_DPS) continue;
    rows++;
    bool shape_known = false;
    for (int di = 0; di < NDT; di++) {
      inst it;
      for (int v = 0; make_inst(info, &DTS[di], v, &it); v++) {
        shape_known = true;
        const inst *p = &it;
        kbuild kb;
        char *text = ktext(&p, 1, &kb);
        kload kl;
        if (kl_load(&kl, text) && ncand < MAXC) {
          cands[ncand].it = it;
          cands[ncand].d = &DTS[di];
          ncand++;
        } else if (getenv("SWEEP_DEBUG") && strstr(getenv("SWEEP_DEBUG"), info->name)) {
          printf("    NOLOAD %s %s v%d:\n%s%s", info->name, DTS[di].ir, v, text, kl.diag);
        }
        kl_free(&kl);
        free(text);
      }
    }
    if (!CHECK(shape_known))
      printf("    op-table row %s: call shape %s unknown to the sweep (teach make_inst)\n", info->name,
             ptk_call_table[info->shape].id);
  }

  /* 2. per dtype, the interpreter alone decides which instances run; those run
   *    batched on both engines, the failing ones one by one. */
  for (int di = 0; di < NDT; di++) {
    static const inst *batch[MAXC];
    int nb = 0;
    for (int c = 0; c < ncand; c++) {
      if (cands[c].d != &DTS[di]) continue;
      const inst *p = &cands[c].it;
      kbuild kb;
      char *text = ktext(&p, 1, &kb);
      kload kl;
      bool runs = false;
      if (kl_load(&kl, text)) {
        run2 r;
        run_engines(ptk_loaded_entry(kl.l), &kb, &r, 1);
        runs = r.rc[0] == 0;
        int row = (int)(p->info - ptk_op_table);
        /* the JIT compiles one kernel per failing instance: check the first
         * failure of each row only (the runtime checks are shared code) */
        if (!runs && !fail_checked[row]) {
          fail_checked[row] = true;
          /* both engines must fail alike */
          run2_free(&r);
          run_engines(ptk_loaded_entry(kl.l), &kb, &r, 3);
          jit_compiles++;
          if (getenv("SWEEP_DEBUG")) printf("    FAILS %s %s %s: %s", p->info->name, DTS[di].ir, p->outs[0].type, r.diag[0]);
          if (!CHECK_INT(r.rc[1], r.rc[0]) || !CHECK_STR(r.diag[1], r.diag[0]))
            printf("    %s %s: the engines fail differently\n%s", p->info->name, DTS[di].ir, text);
        }
        run2_free(&r);
      }
      kl_free(&kl);
      free(text);
      if (runs) batch[nb++] = p;
    }
    for (int b0 = 0; b0 < nb; b0 += BATCH) {
    int bn = nb - b0 < BATCH ? nb - b0 : BATCH;
    const inst *const *bat = batch + b0;
    kbuild kb;
    char *text = ktext(bat, bn, &kb);
    kload kl;
    if (!CHECK(kl_load(&kl, text))) {
      printf("    batch of %d %s kernels does not load:\n%s", bn, DTS[di].ir, kl.diag);
    } else {
      run2 r;
      run_engines(ptk_loaded_entry(kl.l), &kb, &r, 3);
      jit_compiles++;
      if (!CHECK_INT(r.rc[0], 0) || !CHECK_INT(r.rc[1], 0))
        printf("    batch %s: interp rc %d, jit rc %d\n%s%s", DTS[di].ir, r.rc[0], r.rc[1], r.diag[0],
               r.diag[1]);
      else
        for (int j = 0; j < bn; j++) {
          int a = kb.out_arg[j];
          const ptk_tensor *t0 = r.a[0][a].tensor, *t1 = r.a[1][a].tensor;
          bool same = ptk_tensor_nbytes(t0) == ptk_tensor_nbytes(t1) &&
                      !memcmp(t0->data, t1->data, ptk_tensor_nbytes(t0));
          int row = (int)(bat[j]->info - ptk_op_table);
          if (same) {
            row_ok[row] = true;
          } else {
            row_mismatch[row][di] = true;
            if (known_index(bat[j]->info->name, DTS[di].ir) < 0) {
              CHECK(same);
              printf("    ENGINE MISMATCH %s %s (dst %s):\n", bat[j]->info->name, DTS[di].ir,
                     bat[j]->outs[0].type);
              print_tensor("interp", t0);
              print_tensor("jit   ", t1);
            }
          }
        }
      run2_free(&r);
    }
    kl_free(&kl);
    free(text);
    }
  }

  for (int i = 0; KNOWN_MISMATCH[i].op; i++) {
    ptk_op_kind k = ptk_op_lookup(KNOWN_MISMATCH[i].op, strlen(KNOWN_MISMATCH[i].op));
    const sdt *d = dt_of(KNOWN_MISMATCH[i].dtype);
    if (!CHECK(k != PTK_OP__INVALID && d) || !CHECK(row_mismatch[k][d - DTS]))
      printf("    known mismatch %s %s no longer mismatches: remove it from KNOWN_MISMATCH\n",
             KNOWN_MISMATCH[i].op, KNOWN_MISMATCH[i].dtype);
  }
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    const ptk_op_info *info = &ptk_op_table[k];
    if (info->lower != PTK_LOWER_CALL || info->family != PTK_FAM_DPS) continue;
    if (row_ok[k])
      ok_rows++;
    else if (!CHECK(row_ok[k]))
      printf("    op-table row %s: runs identically on both engines for no dtype\n", info->name);
  }
  printf("    run: %d of %d CALL rows ran on both engines (%d loadable instances, %d JIT compiles)\n",
         ok_rows, rows, ncand, jit_compiles);
}
