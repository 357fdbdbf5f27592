# Comptoir — build, run, test.
#   make run     install missing packages, build, start a private demo
#   make check   install missing packages, build with sanitizers, run every test
#   make bench   build optimised, measure, print figures (see BENCHMARKS.md)
#   make install [PREFIX=/usr/local] [DESTDIR=]   make deb

VERSION := 0.1.0
BUILD ?= build/release
SAN ?= 0
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=

CC ?= cc
PKGS_COMMON := glib-2.0 openssl libprotobuf-c
PKGS_SERVER := $(PKGS_COMMON) libuv libpq libcurl zlib

GEN := $(BUILD)/gen
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS_ALL := -std=c11 -D_GNU_SOURCE -g $(WARN) -I$(GEN) -Icommon -Iserver -Itests/lib -Iclient \
	-DCPT_VERSION='"$(VERSION)"' -DCPT_LOCALEDIR='"$(PREFIX)/share/locale"' -DGETTEXT_PACKAGE='"comptoir"' -DCPT_SCHEMA_VERSION=$(words $(wildcard sql/*.sql)) -DCPT_SQLDIR_DEFAULT='"$(PREFIX)/share/comptoir/sql"'
LDFLAGS_ALL :=
ifeq ($(SAN),fuzz)
CFLAGS_ALL += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS_ALL += -fsanitize=fuzzer,address,undefined
else ifeq ($(SAN),1)
CFLAGS_ALL += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
else
CFLAGS_ALL += -O2
endif

pc_cflags = $(shell pkg-config --cflags $(1) 2>/dev/null)
pc_libs = $(shell pkg-config --libs $(1) 2>/dev/null)

PROTOS := $(wildcard proto/*.proto)
PROTO_C := $(patsubst proto/%.proto,$(GEN)/%.pb-c.c,$(PROTOS))
PROTO_H := $(PROTO_C:.c=.h)

COMMON_SRC := $(wildcard common/*.c)
SERVER_LIB_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
CTL_SRC := $(wildcard server/ctl/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC)) $(patsubst %.c,%.o,$(PROTO_C))
SERVER_LIB_OBJ := $(call obj,$(SERVER_LIB_SRC))

SERVER_CFLAGS := $(call pc_cflags,$(PKGS_SERVER))
GTK_CFLAGS := $(call pc_cflags,gtk4)
GTK_LIBS := $(call pc_libs,gtk4 openssl libprotobuf-c) -lpthread

# The workstation client: every client/*.c but main.c is also linked into the GUI tests.
CLIENT_LIB_SRC := $(filter-out client/main.c,$(wildcard client/*.c))
CLIENT_LIB_OBJ := $(call obj,$(CLIENT_LIB_SRC)) $(GEN)/client-resources.o
CLIENT_UI := $(wildcard client/*.ui)
PO := $(wildcard client/po/*.po)
MO := $(patsubst client/po/%.po,$(BUILD)/locale/%/LC_MESSAGES/comptoir.mo,$(PO))
GUI_SRC := $(wildcard tests/gui/test_*.c)
GUI_BIN := $(patsubst tests/gui/%.c,$(BUILD)/tests/gui/%,$(GUI_SRC))
# libharu (PDF) ships no pkg-config file.
SERVER_LIBS := $(call pc_libs,$(PKGS_SERVER)) -lhpdf -lm -lpthread

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
ITEST_SRC := $(wildcard tests/integration/test_*.c)
ITEST_BIN := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(ITEST_SRC))
TESTLIB_OBJ := $(call obj,$(wildcard tests/lib/*.c))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(FUZZ_SRC))
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BIN := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(BENCH_SRC)) \
	$(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(wildcard tests/bench/gui_*.c))

.PHONY: all deps run stop check bench fuzz fuzz-build install deb clean server client tests po-update
.DEFAULT_GOAL := all
.SECONDARY: $(PROTO_C) $(PROTO_H)

all: server client
server: $(BUILD)/comptoird $(BUILD)/comptoirctl
client: $(BUILD)/comptoir $(MO)
tests: $(UNIT_BIN) $(ITEST_BIN) $(BENCH_BIN) $(GUI_BIN)

deps:
	@./packaging/deps.sh

$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: proto/%.proto
	@mkdir -p $(GEN)
	@echo PROTOC $<; protoc-c -Iproto --c_out=$(GEN) $<

$(GEN)/%.pb-c.o: $(GEN)/%.pb-c.c
	@echo CC $<; $(CC) $(CFLAGS_ALL) -Wno-shadow $(call pc_cflags,libprotobuf-c) -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	@echo CC $<; $(CC) $(CFLAGS_ALL) $(SERVER_CFLAGS) $(if $(filter client/% tests/gui/% tests/bench/gui_%,$<),$(GTK_CFLAGS)) -MMD -MP -c $< -o $@

$(GEN)/client-resources.c: client/comptoir.gresource.xml $(CLIENT_UI)
	@mkdir -p $(GEN)
	@echo GRESOURCE $@; glib-compile-resources --sourcedir=client --generate-source --target=$@ $<

$(GEN)/client-resources.o: $(GEN)/client-resources.c
	@echo CC $<; $(CC) $(CFLAGS_ALL) -Wno-shadow $(GTK_CFLAGS) -c $< -o $@

$(BUILD)/locale/%/LC_MESSAGES/comptoir.mo: client/po/%.po
	@mkdir -p $(dir $@)
	@echo MSGFMT $@; msgfmt --check -o $@ $<

$(BUILD)/comptoir: $(call obj,client/main.c) $(CLIENT_LIB_OBJ) $(COMMON_OBJ)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(GTK_LIBS) -o $@

$(BUILD)/tests/bench/gui_%: $(BUILD)/obj/tests/bench/gui_%.o $(TESTLIB_OBJ) $(CLIENT_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(GTK_LIBS) $(call pc_libs,libpq) -o $@

$(BUILD)/tests/gui/test_%: $(BUILD)/obj/tests/gui/test_%.o $(TESTLIB_OBJ) $(CLIENT_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(GTK_LIBS) $(call pc_libs,libpq cmocka) -o $@

$(BUILD)/comptoird: $(call obj,server/main.c) $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) -o $@

$(BUILD)/comptoirctl: $(call obj,$(CTL_SRC)) $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) -o $@

$(BUILD)/tests/unit/test_%: $(BUILD)/obj/tests/unit/test_%.o $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) $(call pc_libs,cmocka) -lpthread -o $@

$(BUILD)/tests/integration/test_%: $(BUILD)/obj/tests/integration/test_%.o $(TESTLIB_OBJ) $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) $(call pc_libs,cmocka) -lpthread -o $@

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) -o $@

$(BUILD)/tests/bench/bench_%: $(BUILD)/obj/tests/bench/bench_%.o $(TESTLIB_OBJ) $(SERVER_LIB_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	@echo LD $@; $(CC) $(LDFLAGS_ALL) $^ $(SERVER_LIBS) -o $@

run: deps
	@$(MAKE) --no-print-directory server client
	@./packaging/run-local.sh $(BUILD)

stop:
	@if [ -f var/comptoird.pid ]; then kill -TERM $$(cat var/comptoird.pid) 2>/dev/null || true; rm -f var/comptoird.pid; fi
	@if [ -d var/pg ]; then ./packaging/pgcluster.sh stop var/pg; fi

check: deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 server client tests
	@# What make run and make bench build: -O2 finds what -O1 misses
	@# (maybe-uninitialized, dangling-pointer), in the tests and benches too.
	@$(MAKE) --no-print-directory BUILD=build/release server client tests
	@$(MAKE) --no-print-directory fuzz-build
	@./tests/run.sh build/san

# libFuzzer targets (clang). make check runs each briefly; make fuzz runs
# each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build/fuzz SAN=fuzz CC=clang fuzz-bins

fuzz-bins: $(FUZZ_BIN)

fuzz: deps fuzz-build
	@for f in build/fuzz/tests/fuzz/fuzz_*; do mkdir -p build/fuzz/corpus/$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/$$(basename $$f) || exit 1; done

bench: deps
	@$(MAKE) --no-print-directory server tests
	@./tests/bench/run.sh $(BUILD)

install: server client
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/comptoir/sql
	install -m 755 $(BUILD)/comptoird $(BUILD)/comptoirctl $(DESTDIR)$(PREFIX)/sbin/
	install -m 755 $(BUILD)/comptoir $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/applications $(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps
	install -m 644 packaging/fr.comptoir.Client.desktop $(DESTDIR)$(PREFIX)/share/applications/
	install -m 644 packaging/fr.comptoir.Client.svg $(DESTDIR)$(PREFIX)/share/icons/hicolor/scalable/apps/
	for mo in $(MO); do lang=$$(basename $$(dirname $$(dirname $$mo))); \
		install -d $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES; \
		install -m 644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$lang/LC_MESSAGES/; done
	install -m 644 sql/*.sql $(DESTDIR)$(PREFIX)/share/comptoir/sql/
	install -d $(DESTDIR)$(SYSCONFDIR)/comptoir
	install -m 640 packaging/comptoird.conf.example $(DESTDIR)$(SYSCONFDIR)/comptoir/comptoird.conf.example

# Refresh the catalogues after changing texts: French is the source language.
po-update:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=ngettext:1,2 --keyword=NC_:1c,2 \
		--package-name=comptoir -o client/po/comptoir.pot client/*.c client/*.ui
	for po in $(PO); do msgmerge --quiet --update --backup=none $$po client/po/comptoir.pot; done
	rm -f client/po/comptoir.pot

deb:
	@./packaging/deb/build.sh $(VERSION)

clean:
	rm -rf build

# The schema version is compiled in: rebuild what uses it when a migration is added.
SCHEMA_STAMP := $(BUILD)/schema-$(words $(wildcard sql/*.sql)).stamp
$(SCHEMA_STAMP):
	@mkdir -p $(BUILD) && rm -f $(BUILD)/schema-*.stamp && touch $@
$(call obj,server/main.c server/ctl/ctl_main.c server/migrate.c): $(SCHEMA_STAMP)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
