/* Private to the .pto reader (parser/pto_lex.re, parser/pto.y,
 * parser/pto_read.c): tokens, the syntax tree the grammar builds, and the
 * parser state.
 *
 * Reading is two phases. The Lemon grammar (pto.y) turns tokens into a
 * syntax tree: ops as a kind (from the op table) plus "parts" in written
 * order (ins(…), outs(…), `: types`, attr dicts, regions, …); types and
 * attributes are built directly as IR (they do not depend on scopes).
 * pto_read.c then walks the tree and builds the IR: resolves SSA names
 * with MLIR scoping, checks counts and annotations, and interprets the
 * parts of each op according to its syntax family. */
#ifndef PTK_PARSER_PTO_INT_H
#define PTK_PARSER_PTO_INT_H

#include "lang/diag.h"
#include "lang/ir/ir.h"

typedef struct pto_parser pto_parser;

/* A token. Text is src->text[off .. off+len). */
typedef struct pto_tok {
  uint32_t off, len;
  uint32_t nlen;  /* VALUE/RESULT/BIND/RMULTI: length of the name after '%' */
  int32_t idx;    /* VALUE: the #N result index, -1 when absent */
  uint32_t count; /* RESULT: the :N count (0 when absent); DIMS: number of dims */
  int opk;        /* OP_*: ptk_op_kind */
  uint64_t u;     /* INT: value */
  double f;       /* FLOAT: value */
  uint8_t hex;    /* INT: written in hex */
  uint8_t big;    /* INT: did not fit in 64 bits */
  const ptk_type *type; /* TY_CACHED: a type whose exact text was read before */
} pto_tok;

/* Arena-backed growable array. */
typedef struct pto_vec {
  void *data;
  uint32_t n, cap;
} pto_vec;
void *pto_vec_push(pto_parser *P, pto_vec *v, size_t elem);
#define PTO_VEC_AT(v, T, i) (((T *)(v).data)[i])

typedef struct pto_use { /* %name or %name#N */
  const char *name;
  uint32_t len;
  int32_t idx;
  ptk_loc loc;
} pto_use;

typedef struct pto_tl { /* a type and where it was written */
  const ptk_type *t;
  ptk_loc loc;
  const char *kw; /* VOP type lists: `loop i64` writes the clause keyword first (else NULL) */
  uint32_t kwlen;
  uint8_t vk;            /* VOP type lists: 0 a type, 1 a bare word `nd2nz` (kw, t NULL), 2 a group
                          * `src_layout(i64, i64)` (kw, grp) */
  const struct pto_vec *grp; /* vk 2: pto_tl */
} pto_tl;

typedef struct pto_tuse { /* %a : T */
  pto_use u;
  pto_tl t;
} pto_tuse;

typedef struct pto_kwin { /* word %a : T (tinsert's fp / pre_quant) */
  pto_tok word;
  pto_tuse tu;
} pto_kwin;

typedef struct pto_bind { /* %a = %x */
  const char *name;
  uint32_t len;
  ptk_loc loc;
  pto_use init;
} pto_bind;

typedef struct pto_item { /* one element of a sync bracket list or a VOP item list */
  int kind;               /* 0 attr, 1 value use, 2 short enum <X>; VOP: 3 use[use],
                           * 4 clause word(args), 5 bare word, 6 launch <<<uses>>>(args) */
  char lit;               /* kind 0 in a VOP list: '$' string, '#' integer, '@' other */
  bool comma;             /* VOP: a comma precedes the item */
  pto_use use;
  pto_use idx;            /* kind 3: the index */
  pto_vec uses;           /* kind 6: the grid operands; kind 3: indices after idx */
  pto_vec args;           /* kind 4: the clause arguments, kind 6: the launch operands (pto_item:
                           * 1 a use, 5 a word; `key = …` sets key) */
  const char *key;        /* an argument's `key =` (else NULL) */
  uint32_t klen;
  const ptk_attr *attr;   /* kind 0 */
  const char *word;       /* kind 2 */
  uint32_t wlen;
  ptk_loc loc;
} pto_item;

typedef enum {
  PP_INS,      /* ins(uses [dict] : types) */
  PP_OUTS,     /* outs(uses : types) */
  PP_OUTS_RES, /* outs : types */
  PP_OPERANDS, /* uses */
  PP_TYPES,    /* : types */
  PP_ARROW,    /* -> types (also -> (types)) */
  PP_DICT,     /* {attrs} */
  PP_PROPS,    /* <{attrs}> */
  PP_KWUSES,   /* word = [uses] */
  PP_KWUSE,    /* word = use [: type] */
  PP_KWATTR,   /* word = attr */
  PP_BRACKET,  /* [items] */
  PP_REGION,   /* {…} */
  PP_BINDS,    /* (%a = %x, …) or iter_args(…) (word = "iter_args") */
  PP_IV,       /* %i = %lb */
  PP_WORD,     /* a keyword: to, step, else, do, a predicate, visibility… */
  PP_ATTR,     /* a literal attribute (constant value, print format, <ENUM>) */
  PP_SYMBOL,   /* @f */
  PP_INTS,     /* word [1, 2] (subview sizes) */
  PP_INDEXED,  /* use[use] */
  PP_FNTYPE,   /* (A, B) -> (R) */
  PP_PAREN,    /* (uses [: types]) */
  PP_VITEMS,   /* VOP items (items) */
  PP_SUCC,     /* ^label [(uses : types)] (a branch successor; word = the label without '^') */
} pto_part_kind;

typedef struct pto_region pto_region;
typedef struct pto_dict { const ptk_attr *a; uint32_t off; } pto_dict;

typedef struct pto_part {
  pto_part_kind kind;
  uint32_t wlen;
  ptk_loc loc;
  const char *word;
  union {          /* one of them, by kind: */
    pto_vec uses;  /* pto_use: INS, OUTS, OPERANDS, KWUSES, PAREN; KWUSE (1), INDEXED (base, index) */
    pto_vec binds; /* pto_bind: BINDS, IV */
    pto_vec items; /* pto_item: BRACKET, WORD (overflow<…> flags), VITEMS */
    pto_vec ints;  /* int64_t: INTS */
  };
  pto_vec types; /* pto_tl */
  const ptk_attr *attr; /* DICT/PROPS (a DICT attr), KWATTR, ATTR, SYMBOL; INS: dict inside ins */
  union {
    const ptk_type *fn;  /* FNTYPE */
    pto_region *region;  /* REGION */
  };
} pto_part;

typedef struct pto_res { /* a result name: %x or %x:N */
  const char *name;
  uint32_t len;
  uint32_t count;
  ptk_loc loc;
} pto_res;

typedef struct pto_sop {
  ptk_op_kind kind;
  ptk_loc loc; /* op name */
  uint32_t namelen;
  bool generic;
  bool memref;     /* spelled memref.alloc / pto.pointer_cast (a lowered buffer, not a tile_buf) */
  pto_vec results; /* pto_res */
  pto_vec parts;   /* pto_part * */
} pto_sop;

typedef struct pto_barg {
  const char *name;
  uint32_t len;
  ptk_loc loc;
  pto_tl type;
} pto_barg;

typedef struct pto_sblock {
  const char *label; /* NULL: the unlabeled entry block */
  uint32_t llen;
  ptk_loc loc;
  pto_vec args; /* pto_barg */
  pto_vec ops;  /* pto_sop * */
} pto_sblock;

struct pto_region {
  ptk_loc loc; /* '{' */
  pto_vec blocks; /* pto_sblock * */
};

typedef struct pto_farg {
  bool named;
  const char *name;
  uint32_t len;
  ptk_loc loc;
  pto_tl type;
  const ptk_attr *attrs;
} pto_farg;

typedef struct pto_sfunc {
  ptk_loc loc; /* the symbol */
  const char *name;
  ptk_visibility vis;
  pto_vec args;    /* pto_farg */
  pto_vec results; /* pto_tl */
  const ptk_attr *attrs;
  pto_region *body;
} pto_sfunc;

typedef struct pto_smod pto_smod;
typedef struct pto_sitem {
  bool is_func;
  pto_sfunc *func;
  pto_smod *mod;
} pto_sitem;

struct pto_smod {
  ptk_loc loc;
  const char *name;
  const ptk_attr *attrs;
  pto_vec items; /* pto_sitem */
};

/* A tile_buf parameter as written. */
typedef struct pto_titem {
  const char *key; /* NULL for a positional item */
  uint32_t klen;
  int vkind;       /* see pto.y: 1 word, 2 int, 3 '?', 4 dims (rows x cols x type), 5 type, 6 valid dims */
  const char *word;
  uint32_t wlen;
  int64_t ival;
  int64_t d0, d1;  /* vkind 4/6 */
  const ptk_type *type;
  ptk_loc loc;
} pto_titem;

struct pto_parser {
  const ptk_source *src;
  ptk_diags *diags;
  ptk_module *m;   /* types and attributes are built into it */
  ptk_arena *syn;  /* the syntax tree */
  bool failed;     /* an error was reported: stop */
  pto_vec top;     /* pto_sitem: top-level items */
  uint32_t braces[256]; /* offsets of the open '{' (innermost last) */
  int nbraces;
  uint32_t loc_line;    /* pto_loc cache: index of the last line looked up */
  /* Types by their exact text (PTO types repeat verbatim all over a file). */
  struct pto_tcache { uint32_t off, len, hash; const ptk_type *t; } *tcache;
  uint32_t ntcache, cap_tcache;
};
/* Type cache: lookup by text, insert after a type is built. */
const ptk_type *pto_tcache_get(pto_parser *P, const char *s, uint32_t len);
void pto_tcache_put(pto_parser *P, uint32_t off, uint32_t end, const ptk_type *t);

/* Lexer. */
typedef struct pto_lexer {
  pto_parser *P;
  const unsigned char *base, *cur, *end;
  int depth; /* bracket nesting, bounded */
} pto_lexer;
void pto_lex_init(pto_lexer *lx, pto_parser *P);
/* Next token code (PTO_T_* from the generated parser/pto.h), 0 at the end.
 * On a lexical error reports it, sets P->failed and returns 0. */
int pto_lex_next(pto_lexer *lx, pto_tok *t);

/* Helpers used by grammar actions (pto_read.c). */
ptk_loc pto_loc(pto_parser *P, uint32_t off);
ptk_range pto_range(pto_parser *P, uint32_t off, uint32_t len);
void pto_err(pto_parser *P, uint32_t off, uint32_t len, const char *fmt, ...) PTK_PRINTF(4, 5);
void *pto_new(pto_parser *P, size_t n);
pto_use pto_mkuse(pto_parser *P, pto_tok t);
pto_part *pto_part_new(pto_parser *P, pto_part_kind k, uint32_t off);
const ptk_type *pto_type_named(pto_parser *P, pto_tok t); /* f32, index, !pto.hif8, … */
const ptk_type *pto_type_named_opt(pto_parser *P, pto_tok t); /* the same, NULL for an unknown word */
const ptk_type *pto_type_opaque_tok(pto_parser *P, pto_tok t);
const ptk_type *pto_type_ptr(pto_parser *P, pto_tok at, const ptk_type *elem, pto_tok *space);
const ptk_type *pto_type_view(pto_parser *P, pto_tok kw, pto_tok *dims, const ptk_type *elem);
const ptk_type *pto_type_tile(pto_parser *P, pto_tok kw, pto_vec *items);
const ptk_attr *pto_attr_int(pto_parser *P, pto_tok t, bool neg, const ptk_type *type, uint32_t toff);
const ptk_attr *pto_attr_float(pto_parser *P, pto_tok t, bool neg, const ptk_type *type);
const ptk_attr *pto_attr_word(pto_parser *P, pto_tok t);
const ptk_attr *pto_attr_string(pto_parser *P, pto_tok t);
const ptk_attr *pto_attr_symbol(pto_parser *P, pto_tok t);
const ptk_attr *pto_attr_hash(pto_parser *P, pto_tok t);
const ptk_attr *pto_attr_array_tok(pto_parser *P, pto_tok t);
const ptk_attr *pto_attr_opaque_tok(pto_parser *P, pto_tok t, const ptk_type *type);
const ptk_attr *pto_attr_dict(pto_parser *P, pto_vec *entries, uint32_t off);
const char *pto_string_value(pto_parser *P, pto_tok t, uint32_t *len); /* decoded */
void pto_dims(pto_parser *P, pto_tok t, int64_t *out, uint32_t max); /* DIMS token values */
void pto_syntax_error(pto_parser *P, int major, pto_tok t, const int *expected, int nexpected);

#endif
