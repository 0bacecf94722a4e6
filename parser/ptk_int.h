/* Private to the .ptk parser: shared by the Lemon grammar (parser/ptk.y,
 * generated into build/parser/ptk.c) and the driver (parser/parse.c). */
#ifndef PTK_PARSER_PTK_INT_H
#define PTK_PARSER_PTK_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "lang/diag.h"
#include "lang/token.h"
#include "lang/util.h"

/* A growable array of pointers allocated in the parse arena (a grammar value
 * may be dropped by error recovery at any time, so nothing is malloc'd). */
typedef struct ptk_plist {
  void **data;
  size_t len, cap;
} ptk_plist;

/* Parser state shared by the driver and the grammar actions. */
typedef struct ptk_pstate {
  const ptk_source *src;
  ptk_diags *diags;
  ptk_arena *arena;
  size_t errors_at_start; /* diags->errors when the parse began */
  bool stop;              /* too many errors / nested too deeply: stop parsing */
  bool lemon_error;       /* Lemon saw a syntax error the driver did not probe */
  bool note_ok;           /* the last perr was emitted, so pnote may follow it */
  ptk_plist items;        /* top-level items, in order */
  ptk_ast_file *file;
} ptk_pstate;

/* ---- helpers for grammar actions (parse.c) ---- */
ptk_plist *pl_new(ptk_pstate *ps);
ptk_plist *pl_push(ptk_pstate *ps, ptk_plist *l, void *x); /* l may be NULL; x may be NULL (skipped) */
/* Copy a list of pointers into an arena array (NULL when empty). */
void **pl_ptrs(ptk_pstate *ps, const ptk_plist *l, size_t *n);

ptk_range tok_range(const ptk_token *t);
char *tok_name(ptk_pstate *ps, const ptk_token *t); /* identifier text */

/* Report an error from a grammar action (counts towards the error limit). */
void perr(ptk_pstate *ps, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
void pnote(ptk_pstate *ps, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);

/* Expression constructors: they compute depth and enforce PTK_AST_MAX_DEPTH. */
ptk_ast_expr *mk_lit(ptk_pstate *ps, const ptk_token *t);
ptk_ast_expr *mk_name(ptk_pstate *ps, const ptk_token *t);
ptk_ast_expr *mk_unary(ptk_pstate *ps, const ptk_token *op, ptk_ast_expr *e);
ptk_ast_expr *mk_binary(ptk_pstate *ps, ptk_ast_expr *l, const ptk_token *op, ptk_ast_expr *r);
ptk_ast_expr *mk_ternary(ptk_pstate *ps, ptk_ast_expr *c, ptk_ast_expr *a, ptk_ast_expr *b);
ptk_ast_expr *mk_list(ptk_pstate *ps, const ptk_token *lb, ptk_plist *elems, const ptk_token *rb);
ptk_ast_expr *mk_call(ptk_pstate *ps, ptk_ast_expr *f, ptk_plist *args, const ptk_token *rp);
ptk_ast_expr *mk_index(ptk_pstate *ps, ptk_ast_expr *b, ptk_plist *subs, const ptk_token *rb);
ptk_ast_expr *mk_member(ptk_pstate *ps, ptk_ast_expr *b, const ptk_token *name);
ptk_ast_expr *mk_paren(ptk_pstate *ps, const ptk_token *lp, ptk_ast_expr *e, const ptk_token *rp);
ptk_ast_arg *mk_arg(ptk_pstate *ps, const ptk_token *name, ptk_ast_expr *value);
ptk_ast_subscript *mk_sub(ptk_pstate *ps, ptk_ast_expr *lo, const ptk_token *colon,
                          ptk_ast_expr *hi);
ptk_ast_type *mk_type(ptk_pstate *ps, const ptk_token *name, ptk_plist *args, const ptk_token *gt);

ptk_ast_block *mk_block(ptk_pstate *ps, const ptk_token *lb, ptk_plist *stmts, const ptk_token *rb);
ptk_ast_stmt *mk_decl(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name, ptk_ast_type *ty,
                      ptk_ast_expr *init, const ptk_token *semi);
ptk_ast_stmt *mk_assign(ptk_pstate *ps, ptk_ast_expr *target, const ptk_token *op,
                        ptk_ast_expr *value, const ptk_token *semi);
ptk_ast_stmt *mk_expr_stmt(ptk_pstate *ps, ptk_ast_expr *e, const ptk_token *semi);
ptk_ast_if_arm *mk_if_arm(ptk_pstate *ps, const ptk_token *first, bool is_static, ptk_ast_expr *c,
                          ptk_ast_block *body);
ptk_ast_stmt *mk_if(ptk_pstate *ps, ptk_ast_if_arm *arm);
ptk_ast_stmt *if_add_arm(ptk_pstate *ps, ptk_ast_stmt *s, ptk_ast_if_arm *arm);
ptk_ast_stmt *if_set_else(ptk_pstate *ps, ptk_ast_stmt *s, ptk_ast_block *body);
ptk_ast_stmt *mk_for(ptk_pstate *ps, const ptk_token *kw, const ptk_token *var,
                     const ptk_token *range_kw, ptk_plist *args, const ptk_token *rp,
                     ptk_ast_block *body);
ptk_ast_stmt *mk_static_for(ptk_pstate *ps, const ptk_token *kw, const ptk_token *var,
                            ptk_ast_expr *iter, ptk_ast_block *body);
ptk_ast_stmt *mk_while(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *c, ptk_ast_block *body);
ptk_ast_stmt *mk_return(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *e,
                        const ptk_token *semi);
ptk_ast_stmt *mk_block_stmt(ptk_pstate *ps, ptk_ast_block *b);

ptk_ast_param *mk_param(ptk_pstate *ps, const ptk_token *cnst, const ptk_token *name,
                        ptk_ast_type *ty, const ptk_token *dir, ptk_ast_expr *dflt);
ptk_ast_decorator *mk_decorator(ptk_pstate *ps, const ptk_token *at, const ptk_token *name,
                                bool parens, ptk_plist *args, const ptk_token *rp);
ptk_ast_item *mk_import(ptk_pstate *ps, const ptk_token *kw, const ptk_token *path,
                        const ptk_token *alias, const ptk_token *semi);
ptk_ast_item *mk_kernel(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                        ptk_plist *params, ptk_ast_block *body, const ptk_token *end);
ptk_ast_item *mk_fn(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name, ptk_plist *params,
                    ptk_ast_type *ret, ptk_ast_block *body);
ptk_ast_item *mk_const(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                       ptk_ast_type *ty, ptk_ast_expr *value, const ptk_token *semi);
ptk_ast_item *mk_program(ptk_pstate *ps, const ptk_token *kw, const ptk_token *name,
                         ptk_plist *params, ptk_ast_block *body);
ptk_ast_type *type_dims(ptk_pstate *ps, ptk_ast_type *t, ptk_plist *dims);
ptk_ast_stmt *mk_scope(ptk_pstate *ps, const ptk_token *kw, ptk_ast_block *b);
ptk_ast_expr *mk_launch(ptk_pstate *ps, const ptk_token *kw, ptk_ast_expr *call);
ptk_ast_item *item_decorate(ptk_pstate *ps, ptk_plist *decorators, ptk_ast_item *it);
void add_item(ptk_pstate *ps, ptk_ast_item *it);

/* ---- the generated parser (build/parser/ptk.c) ---- */
void *PtkParseAlloc(void *(*mallocProc)(size_t));
void PtkParseFree(void *p, void (*freeProc)(void *));
void PtkParse(void *p, int major, ptk_token minor, ptk_pstate *ps);
/* Helpers appended to the generated file (see the %code section of ptk.y). */
int PtkParseNumTerminals(void);
/* Would terminal `tok` be shifted (eventually, after reductions) in the
 * current state? Writes up to `max` symbol codes of the simulated stack at
 * the point of decision (top first) to `syms` and their count to *nsyms. */
int PtkParseProbe(void *p, int tok, int *syms, int max, int *nsyms);
/* Pop to the innermost (outermost != 0: outermost) state that can shift the
 * `error` symbol and shift it. Returns 0 when there is none. */
int PtkParseRecover(void *p, int outermost);
int PtkParseDepth(void *p);
const char *PtkParseSymName(int sym);

#endif
