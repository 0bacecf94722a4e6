/* ptk: the command-line driver. */
#include <string.h>

#include "lang/version.h"
#include "runtime/cli/cli.h"

static const ptk_cmd commands[] = {
    {"run", "run a kernel or a program (a task graph of kernels) on the host CPU", ptk_cmd_run_usage,
     ptk_cmd_run},
    {"check", "parse and check a kernel file (.ptk or .pto) and its programs; print diagnostics",
     ptk_cmd_check_usage, ptk_cmd_check},
    {"fmt", "print the canonical .pto text of a .pto file", ptk_cmd_fmt_usage, ptk_cmd_fmt},
    {"compile", "run the pass pipeline and write a build folder (-o DIR)", ptk_cmd_compile_usage,
     ptk_cmd_compile},
    {"replay", "re-run a build folder and compare with its saved outputs", ptk_cmd_replay_usage,
     ptk_cmd_replay},
    {"compare", "compare two build folders (pass dumps with --include-passes)",
     ptk_cmd_compare_usage, ptk_cmd_compare},
    {"parse", "parse a .ptk file; --dump-ast prints its syntax tree", ptk_cmd_parse_usage,
     ptk_cmd_parse},
};

static void print_help(FILE *f) {
  fprintf(f,
          "ptk %s: compiler and runtime for PTO kernels\n"
          "\n"
          "usage: ptk COMMAND [OPTIONS] [ARGS]\n"
          "       ptk --help | --version\n"
          "       ptk COMMAND --help\n"
          "\n"
          "commands:\n",
          PTK_VERSION);
  for (size_t i = 0; i < PTK_ARRAY_LEN(commands); i++)
    fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\n"
          "levels: a .ptk kernel traces to tile-level PTO (pto.tload, pto.tadd, …); a .pto file\n"
          "    holds tile-level kernels or VPTO micro-instruction kernels (vector registers and\n"
          "    masks: pto.vlds, pto.vadd, pto.mte_gm_ub, … in pto.vecscope regions), which run,\n"
          "    check and compile the same way (ptk run kernel.pto --entry SYM -- ARGS), or back a\n"
          "    .ptk declaration with @jit(source = \"kernel.pto\", backend = \"vpto\")\n"
          "\n"
          "exit status: 0 success, 1 error in the input (diagnostics printed), 2 usage error\n");
}

static const ptk_cmd *find(const char *name) {
  for (size_t i = 0; i < PTK_ARRAY_LEN(commands); i++)
    if (!strcmp(commands[i].name, name)) return &commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    print_help(stderr);
    return PTK_EXIT_USAGE;
  }
  const char *a = argv[1];
  if (ptk_cli_is_help(a)) {
    print_help(stdout);
    return PTK_EXIT_OK;
  }
  if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
    printf("ptk %s\n", PTK_VERSION);
    return PTK_EXIT_OK;
  }
  if (!strcmp(a, "help")) {
    if (argc < 3) {
      print_help(stdout);
      return PTK_EXIT_OK;
    }
    const ptk_cmd *c = find(argv[2]);
    if (!c) {
      fprintf(stderr, "ptk: unknown command '%s'; see 'ptk --help'\n", argv[2]);
      return PTK_EXIT_USAGE;
    }
    fputs(c->usage, stdout);
    return PTK_EXIT_OK;
  }
  const ptk_cmd *c = find(a);
  if (!c) {
    if (a[0] == '-')
      fprintf(stderr, "ptk: unknown option '%s'; see 'ptk --help'\n", a);
    else
      fprintf(stderr, "ptk: unknown command '%s'; see 'ptk --help'\n", a);
    return PTK_EXIT_USAGE;
  }
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--")) break;
    if (ptk_cli_is_help(argv[i])) {
      fputs(c->usage, stdout);
      return PTK_EXIT_OK;
    }
  }
  return c->run(argc - 1, argv + 1);
}
