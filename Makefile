# mapishut: the MAPI fast-shutdown subsystem.
#
#   make          build mapishut.dll (x86_64 and i686), import libraries, the
#                 native core, the tests and the examples, into build/
#   make check    install what is missing, build, run every test suite
#   make demo     install what is missing, build, run the example client
#
# V=1 shows the full command lines.

BUILD      ?= build
CROSS64    ?= x86_64-w64-mingw32-
CROSS32    ?= i686-w64-mingw32-
WIDL       ?= $(CROSS64)widl
CC_NATIVE  ?= gcc

WINE_IDL_DIR ?= /usr/include/wine/wine/windows
WINE_TLB_DIR ?= /usr/lib/x86_64-linux-gnu/wine/x86_64-windows

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARNINGS   := -Wall -Wextra
CFLAGS     ?= -O2 -g
WIN_CFLAGS := -std=c11 $(WARNINGS) $(CFLAGS) -MMD -MP -DUNICODE -D_UNICODE \
              -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0601 -DCOBJMACROS -DCONST_VTABLE \
              -Iinclude -I$(BUILD)/include -Isrc
WIN_LDFLAGS := -static-libgcc -Wl,--enable-stdcall-fixup

CORE_SRC   := $(wildcard src/core/*.c)
WIN32_SRC  := $(wildcard src/win32/*.c)
TOOL_SRC   := $(wildcard src/tool/*.c)
# What mapishut.exe takes from the DLL's Win32 layer: the registry readers, the
# diagnostics' names, the exit records' folder and their Event Log report.
TOOL_WIN32 := policy_registry profile_registry diagnostics exit_file exit_eventlog clock
# wine-tests/ is built the way Wine's makedep builds a tests folder, from its
# Makefile.in: each C file a test, but those marked "#pragma makedep testdll",
# which become DLLs embedded in the tests as TESTDLL resources.
WTEST_SOURCES := $(addprefix wine-tests/,$(shell sed -n '/^SOURCES/,/^$$/p' wine-tests/Makefile.in | \
                   sed 's/^SOURCES *=//; s/\\//g'))
WTEST_C       := $(filter %.c,$(WTEST_SOURCES))
WTEST_DLL_SRC := $(shell grep -l '^\#pragma makedep testdll' $(WTEST_C))
WTEST_SRC     := $(filter-out $(WTEST_DLL_SRC),$(WTEST_C))
WTEST_DLLS    := $(notdir $(WTEST_DLL_SRC:.c=.dll))
TESTLIST      := $(BUILD)/wine-tests/testlist.c
# No -DCOBJMACROS or -DUNICODE here: each test file says what it needs. The
# "#pragma makedep" lines are makedep's, not the compiler's.
TEST_CFLAGS   := -std=c11 $(WARNINGS) -Wno-unknown-pragmas $(CFLAGS) -MMD -MP -Iwine-tests/include -Iwine-tests \
                 -Iinclude -I$(BUILD)/include
# What the examples take from the core: MAPI's DLL naming rule and the
# provider types, so that they name things as the subsystem does.
EXAMPLE_CORE    := dll_name provider_table

# The version, from one place: VERSION (major.minor.patch).
VERSION         := $(strip $(file < VERSION))
GEN_VERSION     := $(BUILD)/include/mapishut_version.h

# The contract's identifiers (GUIDs, the type library's version, ProgIDs),
# from the IDL and mapishut.h: a header for C and a fragment for the scripts
# and the MSI source, so that no copy is written by hand.
GEN_IDS    := $(BUILD)/include/mapishut_ids.h
GEN_IDS_SH := $(BUILD)/mapishut_ids.sh

GEN_HEADER := $(BUILD)/include/mapishut_idl.h
GEN_IIDS   := $(BUILD)/include/mapishut_i.c
# The Event Log's message table: its IDs for C, its resource for mapishut.rc.
GEN_MESSAGES := $(BUILD)/include/messages.h

.PHONY: all check demo bench clean native dll64 dll32 bootstrap fuzz fuzz-run fuzz-seeds install msi
.DEFAULT_GOAL := all

all: dll64 dll32 native

# --- generated contract -----------------------------------------------------

$(GEN_HEADER): idl/mapishut.idl
	@mkdir -p $(@D)
	@echo "  WIDL    $@"
	$(Q)$(WIDL) -I$(WINE_IDL_DIR) -h -o $@ $<

$(GEN_IIDS): idl/mapishut.idl
	@mkdir -p $(@D)
	@echo "  WIDL    $@"
	$(Q)$(WIDL) -I$(WINE_IDL_DIR) -u -o $@ $<

$(GEN_IDS) $(GEN_IDS_SH) &: idl/mapishut.idl include/mapishut.h scripts/make-ids.sh
	@mkdir -p $(BUILD)/include
	@echo "  GEN     $(GEN_IDS) $(GEN_IDS_SH)"
	$(Q)sh scripts/make-ids.sh idl/mapishut.idl include/mapishut.h $(GEN_IDS) $(GEN_IDS_SH)

$(GEN_MESSAGES): src/win32/messages.mc
	@mkdir -p $(@D)
	@echo "  WINDMC  $@"
	$(Q)$(CROSS64)windmc -h $(@D) -r $(@D) $<

# --- one Windows target ------------------------------------------------------
# $(1): arch directory name, $(2): cross prefix, $(3): widl bitness flag

define windows_target
$(1)_OBJ := $(BUILD)/$(1)/obj
$(1)_BIN := $(BUILD)/$(1)/bin
$(1)_DLL_OBJS := $$(patsubst src/%.c,$$($(1)_OBJ)/%.o,$(CORE_SRC) $(WIN32_SRC)) \
                 $$($(1)_OBJ)/mapishut_i.o $$($(1)_OBJ)/mapishut_res.o

$$($(1)_OBJ)/%.o: src/%.c $(GEN_HEADER) $(GEN_MESSAGES) $(GEN_IDS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(WIN_CFLAGS) -c -o $$@ $$<

$$($(1)_OBJ)/mapishut_i.o: $(GEN_IIDS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(WIN_CFLAGS) -c -o $$@ $$<

$(BUILD)/$(1)/mapishut.tlb: idl/mapishut.idl
	@mkdir -p $$(@D)
	@echo "  WIDL    $$@"
	$(Q)$(WIDL) $(3) -I$(WINE_IDL_DIR) -L$(WINE_TLB_DIR) -t -o $$@ $$<

$$($(1)_OBJ)/mapishut_res.o: src/win32/mapishut.rc $(BUILD)/$(1)/mapishut.tlb $(GEN_VERSION) $(GEN_MESSAGES)
	@mkdir -p $$(@D)
	@echo "  RC      $$@"
	$(Q)$(2)windres -I$(BUILD)/$(1) -I$(BUILD)/include -Iinclude -o $$@ $$<

$$($(1)_BIN)/mapishut.dll: $$($(1)_DLL_OBJS) mapishut.def
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -shared -o $$@ $$($(1)_DLL_OBJS) mapishut.def $(WIN_LDFLAGS) \
	    -Wl,--out-implib,$$($(1)_BIN)/libmapishut.a \
	    -lole32 -loleaut32 -ladvapi32 -luuid
	$(Q)$(2)ar rs $$($(1)_BIN)/libmapishut.a $$($(1)_OBJ)/mapishut_i.o 2>/dev/null

$$($(1)_BIN)/mapishut.exe: $$(patsubst src/%.c,$$($(1)_OBJ)/%.o,$(CORE_SRC) $(TOOL_SRC)) \
                          $$(patsubst %,$$($(1)_OBJ)/win32/%.o,$(TOOL_WIN32))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -municode -o $$@ $$^ $(WIN_LDFLAGS) -ladvapi32

# Conformance tests: one executable, with the test DLLs inside.
$$($(1)_OBJ)/wine-tests/%.o: wine-tests/%.c $(GEN_HEADER) $(GEN_IDS)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(TEST_CFLAGS) -c -o $$@ $$<

$$($(1)_OBJ)/wine-tests/testlist.o: $(TESTLIST)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(TEST_CFLAGS) -c -o $$@ $$<

# A test DLL: its .spec names the exports.
$(BUILD)/$(1)/testdll/%.dll: $$($(1)_OBJ)/wine-tests/%.o $(BUILD)/wine-tests/%.def $$($(1)_OBJ)/mapishut_i.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -shared -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -luuid

$(BUILD)/$(1)/wine-tests/testdlls.rc: $(addprefix $(BUILD)/$(1)/testdll/,$(WTEST_DLLS))
	@mkdir -p $$(@D)
	$(Q)for dll in $(WTEST_DLLS); do \
	    echo "\"$$$$dll\" TESTDLL \"$$(abspath $(BUILD)/$(1)/testdll)/$$$$dll\""; \
	done >$$@

$$($(1)_OBJ)/wine-tests/testdlls.o: $(BUILD)/$(1)/wine-tests/testdlls.rc
	@mkdir -p $$(@D)
	@echo "  RC      $$@"
	$(Q)$(2)windres -o $$@ $$<

$$($(1)_BIN)/mapishut_test.exe: $$(patsubst wine-tests/%.c,$$($(1)_OBJ)/wine-tests/%.o,$(WTEST_SRC)) \
                               $$($(1)_OBJ)/wine-tests/testlist.o $$($(1)_OBJ)/wine-tests/testdlls.o \
                               $$($(1)_OBJ)/mapishut_i.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -loleaut32 -ladvapi32 -luuid

# The benchmark `make bench` runs.
$$($(1)_BIN)/bench.exe: $$(patsubst bench/%.c,$$($(1)_OBJ)/bench/%.o,$(wildcard bench/*.c)) \
                         $$($(1)_OBJ)/core/profile.o $$($(1)_OBJ)/core/dll_name.o $$($(1)_OBJ)/mapishut_i.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -luuid -ladvapi32 -lws2_32

$$($(1)_OBJ)/bench/%.o: bench/%.c $(GEN_HEADER)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(WIN_CFLAGS) -c -o $$@ $$<

# Examples for `make demo`.
$$($(1)_OBJ)/examples/%.o: examples/%.c $(GEN_HEADER)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(WIN_CFLAGS) -c -o $$@ $$<

# The example MAPI implementation (a session aggregating the subsystem, a
# provider loader), its client, and its provider DLL, named the way MAPI names
# provider DLLs: the profile says DEMOPROV.DLL.
$$($(1)_BIN)/mapihost.dll: $$(patsubst %.c,$$($(1)_OBJ)/%.o,$(wildcard examples/mapihost/*.c)) \
                           examples/mapihost/mapihost.def $$($(1)_OBJ)/mapishut_i.o \
                           $$(patsubst %,$$($(1)_OBJ)/core/%.o,$(EXAMPLE_CORE))
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -shared -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -luuid

$$($(1)_BIN)/example_client.exe: $$($(1)_OBJ)/examples/example_client.o $$($(1)_OBJ)/mapishut_i.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -municode -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -luuid

$$($(1)_BIN)/demoprov32.dll: $$($(1)_OBJ)/examples/example_provider.o $$($(1)_OBJ)/mapishut_i.o examples/example_provider.def \
                             $$($(1)_OBJ)/core/provider_table.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -shared -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -luuid

# Probes of the real DLL, for the template and package checks.
$$($(1)_BIN)/%_probe.exe: $$($(1)_OBJ)/test/probes/%_probe.o $$($(1)_OBJ)/mapishut_i.o
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(2)gcc -o $$@ $$^ $(WIN_LDFLAGS) -lole32 -loleaut32 -luuid

$$($(1)_OBJ)/test/probes/%.o: test/probes/%.c $(GEN_HEADER)
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	$(Q)$(2)gcc $(WIN_CFLAGS) -c -o $$@ $$<

$(1)_ALL := $(GEN_IDS_SH) $$($(1)_BIN)/mapishut.dll $$($(1)_BIN)/mapishut.exe \
            $$($(1)_BIN)/policy_probe.exe $$($(1)_BIN)/com_probe.exe \
            $$($(1)_BIN)/bench.exe $$($(1)_BIN)/mapishut_test.exe \
            $$($(1)_BIN)/example_client.exe $$($(1)_BIN)/mapihost.dll $$($(1)_BIN)/demoprov32.dll

-include $$(shell find $(BUILD)/$(1)/obj -name '*.d' 2>/dev/null)
endef

$(GEN_VERSION): VERSION
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)sh scripts/make-version.sh $< $@

# The generated test list, and a test DLL's exports from its .spec.
$(TESTLIST): wine-tests/Makefile.in $(WTEST_C) scripts/make-testlist.sh
	@echo "  GEN     $@"
	$(Q)sh scripts/make-testlist.sh wine-tests $@

$(BUILD)/wine-tests/%.def: wine-tests/%.spec
	@mkdir -p $(@D)
	$(Q){ echo "LIBRARY $*.dll"; echo "EXPORTS"; \
	     sed -n 's/^@ *[a-z]* *\([A-Za-z_][A-Za-z0-9_]*\).*/    \1/p' $<; } >$@

$(eval $(call windows_target,x86_64,$(CROSS64),--win64))
$(eval $(call windows_target,i686,$(CROSS32),--win32))

dll64: $(x86_64_ALL)
dll32: $(i686_ALL)

# --- the portable core, natively, with sanitizers ------------------------------

NATIVE_OBJ   := $(BUILD)/native/obj
NATIVE_FLAGS := -std=c11 $(WARNINGS) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP -Isrc
TEST_SRC     := $(wildcard test/*.c)
# The tool's portable parts, tested natively beside the core.
TOOL_PORTABLE := src/tool/cmdline.c src/tool/exit_summary.c
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

$(NATIVE_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC_NATIVE) $(NATIVE_FLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/native/check_core: $(patsubst %.c,$(NATIVE_OBJ)/%.o,$(CORE_SRC) $(TOOL_PORTABLE) $(TEST_SRC))
	@echo "  LD      $@"
	$(Q)$(CC_NATIVE) $(NATIVE_FLAGS) -o $@ $^ $(CHECK_LIBS) -lpthread \
	    -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc

# The same tests under the thread sanitizer: the core's state shared between
# threads is read and written under its lock, or this fails.
TSAN_OBJ   := $(BUILD)/native/tsan
TSAN_FLAGS := -std=c11 $(WARNINGS) -O1 -g -fno-omit-frame-pointer -fsanitize=thread -MMD -MP -Isrc

$(TSAN_OBJ)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC_NATIVE) $(TSAN_FLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/native/check_core_tsan: $(patsubst %.c,$(TSAN_OBJ)/%.o,$(CORE_SRC) $(TOOL_PORTABLE) $(TEST_SRC))
	@echo "  LD      $@"
	$(Q)$(CC_NATIVE) $(TSAN_FLAGS) -o $@ $^ $(CHECK_LIBS) -lpthread \
	    -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc

native: $(BUILD)/native/check_core $(BUILD)/native/check_core_tsan

-include $(shell find $(NATIVE_OBJ) $(TSAN_OBJ) -name '*.d' 2>/dev/null)

# --- fuzzing the profile decoder and the exit record reader (clang, libFuzzer) -----

FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -std=c11 $(WARNINGS) -O1 -g -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -Isrc -Itest -Ifuzz

$(BUILD)/fuzz/fuzz_profile: fuzz/fuzz_profile.c src/core/profile.c src/core/dll_name.c src/core/profile.h fuzz/fuzz_format.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_profile.c src/core/profile.c src/core/dll_name.c

# The record reader with the core that writes the record it damages.
$(BUILD)/fuzz/fuzz_exit_record: fuzz/fuzz_exit_record.c $(CORE_SRC) src/tool/exit_summary.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_exit_record.c $(CORE_SRC) src/tool/exit_summary.c

$(BUILD)/fuzz/make_seeds: fuzz/make_seeds.c test/profile_builder.c src/core/profile.c src/core/dll_name.c
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC_NATIVE) -std=c11 $(WARNINGS) -O1 -Isrc -Itest -Ifuzz -o $@ $^

# The committed seeds stay as they are; the fuzzer grows its own copy.
fuzz:
	$(Q)sh scripts/bootstrap.sh fuzz
	$(Q)$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(BUILD)/fuzz/fuzz_profile $(BUILD)/fuzz/fuzz_exit_record
	@rm -rf $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-exit && mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-exit
	@cp fuzz/corpus/* $(BUILD)/fuzz/corpus/
	@cp fuzz/corpus-exit/* $(BUILD)/fuzz/corpus-exit/
	$(BUILD)/fuzz/fuzz_profile -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 $(BUILD)/fuzz/corpus
	$(BUILD)/fuzz/fuzz_exit_record -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 $(BUILD)/fuzz/corpus-exit

# Regenerates fuzz/corpus/ from fuzz/make_seeds.c.
fuzz-seeds: $(BUILD)/fuzz/make_seeds
	@mkdir -p fuzz/corpus
	$(BUILD)/fuzz/make_seeds fuzz/corpus

# --- the two commands ----------------------------------------------------------

bootstrap:
	$(Q)sh scripts/bootstrap.sh

# check-dll.sh compiles the DLL's sources again, as the DLL is built.
check: bootstrap
	$(Q)$(MAKE) --no-print-directory all
	$(Q)DLL_SOURCES="$(CORE_SRC) $(WIN32_SRC)" WIN_CFLAGS="$(WIN_CFLAGS)" sh scripts/run-tests.sh $(BUILD)

demo: bootstrap
	$(Q)$(MAKE) --no-print-directory dll64
	$(Q)sh scripts/run-demo.sh $(BUILD)

bench: bootstrap
	$(Q)$(MAKE) --no-print-directory dll64
	$(Q)sh scripts/run-bench.sh $(BUILD) "$(BENCH)"

# The SDK, for both architectures: make install [DESTDIR=...] [PREFIX=...]
PREFIX  ?= /usr/local
DESTDIR ?=
install: dll64 dll32
	$(Q)sh scripts/install-sdk.sh $(BUILD) "$(DESTDIR)" "$(PREFIX)" $(VERSION)

# The Windows Installer packages, x64 and x86: build/msi/.
msi: dll64 dll32
	$(Q)sh scripts/bootstrap.sh
	$(Q)sh scripts/make-msi.sh $(BUILD) $(VERSION) $(BUILD)/msi

clean:
	rm -rf $(BUILD)
