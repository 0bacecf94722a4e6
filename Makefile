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

# The library's objects are position-independent (they go into libptk.so as
# well as libptk.a) and hide every symbol that runtime/ptk.h does not mark
# PTK_API, so internal names cannot clash with a host program's.
LIBFLAGS := -fPIC -fvisibility=hidden
# Library objects are rebuilt when LIBFLAGS changes (a build folder from
# before them has non-PIC objects).
LIBFLAGS_STAMP := $(BUILD)/libflags.stamp
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && (echo '$(LIBFLAGS)' | cmp -s - $(LIBFLAGS_STAMP) || echo '$(LIBFLAGS)' > $(LIBFLAGS_STAMP)))
endif
VERSION := $(shell sed -n 's/^\#define PTK_VERSION "\(.*\)"/\1/p' lang/version.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME  := libptk.so.$(SOMAJOR)
PYTHON  ?= /usr/bin/python3
LIBDIR  ?= $(PREFIX)/lib
MANDIR  ?= $(PREFIX)/share/man
PYVER   := $(shell $(PYTHON) -c "import sys; print(\"%d.%d\" % sys.version_info[:2])" 2>/dev/null)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(PYVER)/dist-packages)
PY_SRC  := $(wildcard python/ptk/*.py)

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
            runtime/interp runtime/jit runtime/program
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

TOOLS := $(BUILD)/ptk $(BUILD)/libptk.a $(BUILD)/libptk.so $(BUILD)/ptk.1 $(BUILD)/ptk-unit $(BUILD)/ptk-lit \
         $(if $(CORPUS_C),$(BUILD)/ptk-corpus) $(SAMPLE_BIN)

.PHONY: all test asan bench fuzz fuzzers clean install uninstall
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/ptk $(BUILD)/libptk.a $(BUILD)/libptk.so $(BUILD)/ptk.1 $(SAMPLE_BIN)

$(BUILD)/%.c: %.re
	@mkdir -p $(dir $@)
	$(RE2C) $(RE2CFLAGS) -o $@ $<

# Lemon writes <name>.c, <name>.h and <name>.out next to each other.
$(BUILD)/%.c $(BUILD)/%.h: %.y $(LEMPAR)
	@mkdir -p $(dir $@)
	$(LEMON) -q -s -T$(LEMPAR) -d$(dir $@) $< >/dev/null

$(GEN_C:%.c=%.o): %.o: %.c $(LIBFLAGS_STAMP) | $(GEN_H)
	$(CC) $(CPPFLAGS) $(GENCFLAGS) $(LIBFLAGS) -c -o $@ $<

$(LIB_C:%.c=$(BUILD)/%.o): $(BUILD)/%.o: %.c $(LIBFLAGS_STAMP) | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) $(LIBFLAGS) -c -o $@ $<

# The JIT ABI header and the headers it builds on are copied into every
# generated kernel C file (backend/c/emit.c includes them as one string
# literal), their own #include "…" lines dropped: generated code is compiled
# with the host's definitions, nothing mirrored.
JIT_RT_H := runtime/isa/fp.h runtime/isa/fmath.h runtime/isa/isa.h runtime/isa/ew.h runtime/isa/scalar.h runtime/cells.h \
            runtime/isa/vreg.h $(sort $(wildcard runtime/isa/v_*.h)) runtime/isa/vec.h runtime/jit/abi.h
$(BUILD)/backend/c/ptk_jit_rt.inc: $(JIT_RT_H)
	@mkdir -p $(dir $@)
	cat $(JIT_RT_H) | grep -v '^#include "' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' > $@

$(BUILD)/backend/c/emit.o: $(BUILD)/backend/c/ptk_jit_rt.inc

# The tile library: no FMA contraction (a target with FMA must give the bits
# of one without: runtime/isa/fmath.h, the AVX2 clones); no errno from sqrt
# and no FP-exception traps (ptk never reads the exception flags; values are
# unchanged), so gcc if-converts and vectorizes its float loops.
# gcc 12's -O2 vectorizer cost model ("very cheap") leaves the AVX2 clones of
# the row kernels scalar; the dynamic model is gcc's -O3 one (clang has no
# such option and vectorizes them anyway).
VECT_COST := $(shell $(CC) -fvect-cost-model=dynamic -E -x c /dev/null >/dev/null 2>&1 && echo -fvect-cost-model=dynamic)
$(BUILD)/runtime/isa/%.o: ALLCFLAGS += -ffp-contract=off -fno-math-errno -fno-trapping-math $(VECT_COST)

$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/libptk.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shared library: libptk.so.VERSION with soname libptk.so.MAJOR, and the
# two links a build and a run need.
$(BUILD)/libptk.so.$(VERSION): $(LIB_OBJ)
	$(CC) $(SANFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined -o $@ $^ $(LDLIBS)

$(BUILD)/libptk.so: $(BUILD)/libptk.so.$(VERSION)
	ln -sf libptk.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf libptk.so.$(VERSION) $@

# ptk(1) from the text of `ptk --help` and `ptk COMMAND --help`.
$(BUILD)/ptk.1: $(BUILD)/ptk docs/ptk.1.in docs/mkman.sh
	docs/mkman.sh $(BUILD)/ptk docs/ptk.1.in > $@

$(BUILD)/ptk: $(CLI_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-unit: $(UNIT_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-lit: $(LIT_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(LIT_OBJ) $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/ptk-corpus: $(CORPUS_OBJ) $(BUILD)/libptk.a
	$(CC) $(SANFLAGS) -o $@ $(CORPUS_OBJ) $(BUILD)/libptk.a $(LDLIBS)

# Samples include "ptk.h" as a program using the installed library does.
$(SAMPLE_C:%.c=$(BUILD)/%.o): CPPFLAGS += -Iruntime

$(BUILD)/samples/%: $(BUILD)/samples/c/%.o $(BUILD)/libptk.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libptk.a $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/tests/bench/%.o $(BUILD)/libptk.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $< $(BUILD)/libptk.a $(LDLIBS)

# `make test K=REGEX` selects tests by name (PCRE2).
test: $(TOOLS)
	@PTK_PYTHON='$(PYTHON)' PTK_TEST_SAN='$(SAN)' PTK_TEST_SANFLAGS='$(SANFLAGS)' tests/run.sh $(BUILD) '$(K)'

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

# `make install PREFIX=… [DESTDIR=…]`; `make uninstall` with the same
# variables removes exactly the files install wrote (the list below).
PY_INSTALLED := $(PY_SRC:python/%=$(PYTHONDIR)/%) $(PYTHONDIR)/ptk/_install.py
STDLIB_FILES := $(notdir $(wildcard stdlib/*.ptk))
INSTALLED := $(PREFIX)/bin/ptk $(LIBDIR)/libptk.a $(LIBDIR)/libptk.so.$(VERSION) \
             $(LIBDIR)/$(SONAME) $(LIBDIR)/libptk.so $(PREFIX)/include/ptk.h \
             $(LIBDIR)/pkgconfig/ptk.pc $(MANDIR)/man1/ptk.1 \
             $(STDLIB_FILES:%=$(STDLIB_DIR)/%) $(PY_INSTALLED)

install: $(BUILD)/ptk $(BUILD)/libptk.a $(BUILD)/libptk.so $(BUILD)/ptk.1 ptk.pc.in
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include \
	  $(DESTDIR)$(STDLIB_DIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PYTHONDIR)/ptk
	install -m 755 $(BUILD)/ptk $(DESTDIR)$(PREFIX)/bin/ptk
	install -m 644 $(BUILD)/libptk.a $(DESTDIR)$(LIBDIR)/libptk.a
	install -m 755 $(BUILD)/libptk.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libptk.so.$(VERSION)
	ln -sf libptk.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf libptk.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libptk.so
	install -m 644 runtime/ptk.h $(DESTDIR)$(PREFIX)/include/ptk.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@VERSION@|$(VERSION)|g' \
	  -e 's|@LIBS_PRIVATE@|$(LDLIBS)|g' ptk.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/ptk.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/ptk.pc
	install -m 644 $(BUILD)/ptk.1 $(DESTDIR)$(MANDIR)/man1/ptk.1
	for f in $(STDLIB_FILES); do install -m 644 stdlib/$$f $(DESTDIR)$(STDLIB_DIR)/$$f || exit 1; done
	install -m 644 $(PY_SRC) $(DESTDIR)$(PYTHONDIR)/ptk/
	printf '# written by make install\nLIBRARY = "%s"\n' '$(LIBDIR)/$(SONAME)' > $(DESTDIR)$(PYTHONDIR)/ptk/_install.py

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	rm -rf $(DESTDIR)$(PYTHONDIR)/ptk/__pycache__
	-rmdir $(DESTDIR)$(PYTHONDIR)/ptk $(DESTDIR)$(STDLIB_DIR) $(DESTDIR)$(PREFIX)/share/ptk 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
