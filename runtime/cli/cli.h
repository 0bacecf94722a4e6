/* The ptk command: one entry per subcommand (runtime/cli/main.c holds the
 * table). Every subcommand returns the process exit status: 0 ok, 1 user
 * error (diagnostics printed), 2 usage error. */
#ifndef PTK_CLI_H
#define PTK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "trace/trace.h"

enum { PTK_EXIT_OK = 0, PTK_EXIT_ERROR = 1, PTK_EXIT_USAGE = 2 };

typedef struct ptk_cmd {
  const char *name;
  const char *summary; /* one line for `ptk --help` */
  const char *usage;   /* full text for `ptk CMD --help` */
  int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} ptk_cmd;

int ptk_cmd_check(int argc, char **argv);
int ptk_cmd_parse(int argc, char **argv);
int ptk_cmd_fmt(int argc, char **argv);
int ptk_cmd_run(int argc, char **argv);
int ptk_cmd_compile(int argc, char **argv);
int ptk_cmd_replay(int argc, char **argv);
int ptk_cmd_compare(int argc, char **argv);
extern const char ptk_cmd_check_usage[];
extern const char ptk_cmd_parse_usage[];
extern const char ptk_cmd_fmt_usage[];
extern const char ptk_cmd_run_usage[];
extern const char ptk_cmd_compile_usage[];
extern const char ptk_cmd_replay_usage[];
extern const char ptk_cmd_compare_usage[];

/* Options every command that loads a kernel takes: --entry NAME,
 * --const NAME=VALUE (repeatable), -I DIR (repeatable). */
typedef struct ptk_cli_kopts {
  const char *entry;
  PTK_VEC(ptk_const_binding) consts;
  PTK_VEC(const char *) includes;
} ptk_cli_kopts;
/* If argv[*i] is one of those options, consume it (and its value) and
 * return 1; 0 when it is not; -1 after printing a usage error. */
int ptk_cli_kopt(ptk_cli_kopts *k, const char *cmd, int argc, char **argv, int *i);
ptk_trace_opts ptk_cli_trace_opts(const ptk_cli_kopts *k);
void ptk_cli_kopts_free(ptk_cli_kopts *k);

/* Kernel arguments on the command line (runtime/cli/args.c), shared by
 * `ptk run` and `ptk replay`. */
/* A count for --blocks/--threads/--repeat: 1 .. 16777216. */
bool ptk_cli_parse_u32(const char *s, uint32_t *out);
/* A number-looking or boolean token (so "-1" is an ARG, not an option). */
bool ptk_cli_looks_scalar(const char *s);
/* Parses a scalar literal (16, -3, 0x1F, 0.5, 1e-3, inf, true, false) as
 * type dt into *out; NULL on success, else a message (malloc'd). */
char *ptk_cli_parse_scalar(const char *s, ptk_dtype dt, ptk_launch_arg *out);
enum {
  /* Describe a pointer parameter by its element dtype ("the parameter's
   * elements are f32", as kernel_config.json records it) rather than by its
   * type and element size. */
  PTK_CLI_BIND_ELEM_DTYPE = 1u << 0,
};
/* Binds one ARG per parameter of f into la[0 .. f->nargs) (path.npy,
 * zeros:/rand: specs, scalar literals). False with located errors in d; the
 * tensors bound so far are in la either way (free with ptk_cli_args_free).
 * `cmd` names the command in messages ("run"). */
bool ptk_cli_bind(const ptk_func *f, const char *const *args, size_t nargs, const char *cmd,
                  unsigned flags, ptk_launch_arg *la, ptk_diags *d);
/* Writes every pointer argument to DIR/<k>_<name>.npy (creating DIR). */
bool ptk_cli_write_outputs(const char *dir, const ptk_func *f, const ptk_launch_arg *la,
                           ptk_diags *d);
/* Frees the tensors of la[0 .. n) and la itself. */
void ptk_cli_args_free(ptk_launch_arg *la, size_t n);

/* Shared helpers. */
bool ptk_cli_is_help(const char *arg);
int ptk_cli_usage_error(const char *cmd, const char *fmt, ...) PTK_PRINTF(2, 3);
/* Load FILE ("-" = stdin). On failure emits "FILE: error: cannot read …". */
ptk_source *ptk_cli_load(const char *path, ptk_diags *d);
/* The same; standard input gets the name `stdin_name` ("<stdin>.ptk"
 * makes the kernel loader read it as .ptk). */
ptk_source *ptk_cli_load_as(const char *path, const char *stdin_name, ptk_diags *d);
bool ptk_cli_has_ext(const char *path, const char *ext);
/* A --target value: a2, a3 or a5 (ptoas --pto-arch; a2 and a3 share every rule). */
bool ptk_cli_target_ok(const char *v);
#define PTK_CLI_TARGET_ERR "--target must be a2, a3 or a5, got '%s'"

#endif
