# ptk build. `make` builds build/ptk and build/libptk.a; see README.md.
# Every .c under the library folders is picked up automatically; *.re files
# go through re2c and *.y files through Lemon, with outputs under $(BUILD).

BUILD   ?= build
PREFIX  ?= /usr/local
CC      ?= cc
K       ?=
SAN     ?=
LEMPAR  ?= /usr/share/lemon/lempar.c
FUZZ_SECONDS ?= 60

WARN    := -Wall -Wextra -Werror
CSTD    := -std=gnu11
OPT     := -O2 -g
ifeq ($(SAN),1)
  OPT   := -O1 -g -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
ifeq ($(SAN),fuzz)
  OPT   := -O1 -g -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -DPTK_FUZZING
endif
STDLIB_DIR := $(PREFIX)/share/ptk/stdlib
CPPFLAGS += -I. -I$(BUILD) -DPTK_STDLIB_DIR='"$(STDLIB_DIR)"' -DPTK_SOURCE_STDLIB='"$(CURDIR)/stdlib"'
CFLAGS  ?=
ALLCFLAGS = $(CSTD) $(OPT) $(WARN) $(SANFLAGS) $(CFLAGS) -MMD -MP
# Generated parsers/lexers: the Lemon template trips a few pedantic warnings.
GENCFLAGS = $(ALLCFLAGS) -Wno-unused-parameter -Wno-unused-variable -Wno-unused-but-set-variable \
            -Wno-implicit-fallthrough -Wno-sign-compare -Wno-unused-function
LDLIBS  := -lpcre2-8 -ljansson -lm -lpthread -ldl
RE2C    ?= re2c
RE2CFLAGS ?= -W --no-generation-date --no-version
LEMON   ?= lemon

# ---- dependency check: say exactly what to install -----------------------
NEED_CLEAN := $(filter-out clean,$(MAKECMDGOALS))
ifneq ($(or $(NEED_CLEAN),$(if $(MAKECMDGOALS),,all)),)
MISSING := $(strip $(shell \
  command -v $(RE2C) >/dev/null 2>&1 || echo re2c; \
  command -v $(LEMON) >/dev/null 2>&1 || echo lemon; \
  [ -f $(LEMPAR) ] || echo lemon; \
  [ -f /usr/include/pcre2.h ] || echo libpcre2-dev; \
  [ -f /usr/include/jansson.h ] || echo libjansson-dev))
ifneq ($(MISSING),)
$(error missing build dependencies: $(sort $(MISSING)). Install them with: sudo apt-get install -y $(sort $(MISSING)))
endif
endif

LIB_DIRS := lang lang/ir parser trace backend backend/passes backend/c runtime runtime/isa \
            runtime/interp runtime/jit
LIB_C   := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_RE  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.re))
LIB_Y   := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.y))
GEN_C   := $(LIB_RE:%.re=$(BUILD)/%.c) $(LIB_Y:%.y=$(BUILD)/%.c)
GEN_H   := $(LIB_Y:%.y=$(BUILD)/%.h)
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(GEN_C:%.c=%.o)

CLI_C   := $(wildcard runtime/cli/*.c)
CLI_OBJ := $(CLI_C:%.c=$(BUILD)/%.o)
UNIT_C  := $(wildcard tests/unit/*.c)
UNIT_OBJ:= $(UNIT_C:%.c=$(BUILD)/%.o)
LIT_C   := $(wildcard tests/tools/lit/*.c)
LIT_OBJ := $(LIT_C:%.c=$(BUILD)/%.o)
CORPUS_C:= $(wildcard tests/tools/corpus/*.c)
CORPUS_OBJ := $(CORPUS_C:%.c=$(BUILD)/%.o)
SAMPLE_C := $(wildcard samples/c/*.c)
SAMPLE_BIN := $(SAMPLE_C:samples/c/%.c=$(BUILD)/samples/%)
BENCH_C := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_C:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_C  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN:= $(FUZZ_C:tests/fuzz/%.c=$(BUILD)/fuzz/%)

TOOLS := $(BUILD)/ptk $(BUILD)/libptk.a $(BUILD)/ptk-unit $(BUILD)/ptk-lit \
         $(if $(CORPUS_C),$(BUILD)/ptk-corpus) $(SAMPLE_BIN)

.PHONY: all test asan bench fuzz fuzzers clean install
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/ptk $(BUILD)/libptk.a $(SAMPLE_BIN)

$(BUILD)/%.c: %.re
	@mkdir -p $(dir $@)
	$(RE2C) $(RE2CFLAGS) -o $@ $<

# Lemon writes <name>.c, <name>.h and <name>.out next to each other.
$(BUILD)/%.c $(BUILD)/%.h: %.y $(LEMPAR)
	@mkdir -p $(dir $@)
	$(LEMON) -q -s -T$(LEMPAR) -d$(dir $@) $< >/dev/null

$(GEN_C:%.c=%.o): %.o: %.c | $(GEN_H)
	$(CC) $(CPPFLAGS) $(GENCFLAGS) -c -o $@ $<

# The JIT ABI header and the headers it builds on are copied into every
# generated kernel C file (backend/c/emit.c includes them as one string
# literal), their own #include "…" lines dropped: generated code is compiled
# with the host's definitions, nothing mirrored.
JIT_RT_H := runtime/isa/fp.h runtime/isa/fmath.h runtime/isa/isa.h runtime/isa/scalar.h runtime/cells.h runtime/jit/abi.h
$(BUILD)/backend/c/ptk_jit_rt.inc: $(JIT_RT_H)
	@mkdir -p $(dir $@)
	cat $(JIT_RT_H) | grep -v '^#include "' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' > $@

$(BUILD)/backend/c/emit.o: $(BUILD)/backend/c/ptk_jit_rt.inc

# The tile library: no FMA contraction (a target with FMA must give the bits
# of one without: runtime/isa/fmath.h, the AVX2 clones); no errno from sqrt
# and no FP-exception traps (ptk never reads the exception flags; values are
# unchanged), so gcc if-converts and vectorizes its float loops.
$(BUILD)/runtime/isa/%.o: ALLCFLAGS += -ffp-contract=off -fno-math-errno -fno-trapping-math

$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/libptk.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/ptk: $(CLI_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-unit: $(UNIT_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-lit: $(LIT_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(LIT_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-corpus: $(CORPUS_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(CORPUS_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/samples/%: $(BUILD)/samples/c/%.o $(BUILD)/libptk.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(BUILD)/libptk.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libptk.a $(LDLIBS)

# `make test K=REGEX` selects tests by name (PCRE2).
test: $(TOOLS)
	@tests/run.sh $(BUILD) '$(K)'

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 test K='$(K)'

# numpy comparisons need numpy on OpenBLAS (Debian libopenblas0-pthread
# switches numpy's BLAS); installed here if missing, never by the library.
bench: $(BUILD)/ptk $(BENCH_BIN)
	@tests/bench/need_openblas.sh
	@tests/bench/run.sh $(BUILD)

# libFuzzer targets (clang-14 + libclang-rt-14-dev); each runs FUZZ_SECONDS.
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz SAN=fuzz CC=clang-14 fuzzers
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzzers: $(FUZZ_BIN)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/libptk.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/libptk.a $(LDLIBS)

install: $(BUILD)/ptk $(BUILD)/libptk.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(STDLIB_DIR)
	install -m 755 $(BUILD)/ptk $(DESTDIR)$(PREFIX)/bin/ptk
	install -m 644 $(BUILD)/libptk.a $(DESTDIR)$(PREFIX)/lib/libptk.a
	install -m 644 runtime/ptk.h $(DESTDIR)$(PREFIX)/include/ptk.h
	find stdlib -name '*.ptk' -exec install -m 644 {} $(DESTDIR)$(STDLIB_DIR)/ \;

clean:
	rm -rf build build-asan build-fuzz build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
