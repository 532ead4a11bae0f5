# claimdb — see README.md. `make run` serves the API; `make test` runs every test.
VERSION   := 0.1.0
BUILD     ?= build
CC        ?= cc
PYTHON    := /usr/bin/python3
PORT      ?= 8080
DATA      := $(CURDIR)/.data
DEV_PGPORT ?= 54329
# claimdb's password lives in the private cluster's folder (scripts/pg.sh).
DEV_DB     = $$(sh scripts/pg.sh url $(DATA)/pg $(DEV_PGPORT))

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -Wpointer-arith -Wundef
OPT       ?= -O2 -g
SAN       ?=
CFLAGS_ALL = -std=c17 -D_GNU_SOURCE -DCLAIMDB_VERSION='"$(VERSION)"' $(WARN) $(OPT) $(SAN) \
             -I$(CURDIR)/server -I$(CURDIR)/$(BUILD) \
             -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql) \
             -MMD -MP $(CFLAGS)
LIBS      := -lmicrohttpd -ljansson -lpq -lsodium -lutf8proc -lpthread

SRC       := $(wildcard server/*.c)
OBJ       := $(patsubst server/%.c,$(BUILD)/obj/%.o,$(SRC)) $(BUILD)/obj/migrations.o \
             $(BUILD)/obj/openapi.o $(BUILD)/obj/web_files.o
# Pure-logic modules the unit tests link against (no MHD/libpq needed).
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_LIB  := utf8 anchor segments router jsonbuf config cursor import_util graph_format fields entities etag query
UNIT_OBJ  := $(patsubst %,$(BUILD)/obj/%.o,$(filter $(UNIT_LIB),$(patsubst server/%.c,%,$(SRC))))

.PHONY: all run test check unit api io openapi schema fmt fmt-check openapi-check lint clean db-stop db-reset deps bench compose-check jsonld-deps e2e screenshots fuzz fuzz-smoke fuzz-build
all: $(BUILD)/claimdb

# The SQL that follows from the entity descriptions (server/entities.c):
# written by a small generator linked with the description itself, before
# any object that includes it (server/gen/gen_entity_sql.c says what it holds).
GEN_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) -O1 -I$(CURDIR)/server \
             -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
$(BUILD)/gen_entity_sql: server/gen/gen_entity_sql.c server/entities.c server/fields.c server/utf8.c \
                         server/entities.h server/fields.h server/utf8.h server/db.h | $(BUILD)/obj
	@echo "  GEN $@"
	@$(CC) $(GEN_CFLAGS) -o $@ server/gen/gen_entity_sql.c server/entities.c server/fields.c server/utf8.c \
	  -ljansson -lutf8proc

$(BUILD)/entity_sql.h: $(BUILD)/gen_entity_sql
	$(BUILD)/gen_entity_sql > $@.tmp && mv $@.tmp $@

$(OBJ) $(UNIT_OBJ): | $(BUILD)/entity_sql.h

$(BUILD)/obj/%.o: server/%.c | $(BUILD)/obj
	@echo "  CC  $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/migrations.c: $(wildcard migrations/*.sql) scripts/embed_migrations.sh | $(BUILD)/obj
	sh scripts/embed_migrations.sh migrations > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/migrations.o: $(BUILD)/migrations.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c $< -o $@

# The OpenAPI description, served at GET /v1/openapi.json.
$(BUILD)/openapi.c: schema/openapi.json scripts/embed_file.sh | $(BUILD)/obj
	sh scripts/embed_file.sh openapi_json schema/openapi.json openapi.h > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/openapi.o: $(BUILD)/openapi.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The page (web/), served at / and /ui/{file}.
$(BUILD)/web_files.c: $(wildcard web/*) scripts/embed_web.sh | $(BUILD)/obj
	sh scripts/embed_web.sh web > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/web_files.o: $(BUILD)/web_files.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/claimdb: $(OBJ)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/unit_tests: $(UNIT_SRC) $(UNIT_OBJ)
	$(CC) $(CFLAGS_ALL) -o $@ $(UNIT_SRC) $(UNIT_OBJ) -ljansson -lpq -lutf8proc

$(BUILD)/obj:
	mkdir -p $@

deps:
	@sh scripts/deps.sh build

# Serve the API on 127.0.0.1:$(PORT). Without DATABASE_URL, a private
# PostgreSQL cluster lives in .data/ and gets the fixtures on first start.
run:
	@sh scripts/deps.sh run
	@$(MAKE) --no-print-directory all
ifeq ($(DATABASE_URL),)
	@sh scripts/pg.sh start $(DATA)/pg $(DEV_PGPORT)
	@DATABASE_URL="$(DEV_DB)" PORT=$(PORT) DEV_PGPORT=$(DEV_PGPORT) sh scripts/load_fixtures.sh $(BUILD)/claimdb $(DATA)
	DATABASE_URL="$(DEV_DB)" PORT=$(PORT) exec $(BUILD)/claimdb serve
else
	PORT=$(PORT) exec $(BUILD)/claimdb serve
endif

unit: $(BUILD)/unit_tests
	$(BUILD)/unit_tests

api: $(BUILD)/claimdb
	CLAIMDB_BIN=$(CURDIR)/$(BUILD)/claimdb $(PYTHON) -m pytest -q -p no:cacheprovider tests/api $(PYTEST_ARGS)

# The fault suite (tests/io): PostgreSQL killed under writes, clients killed
# mid-import, concurrent identical imports, slow work beside short requests,
# slowloris, stalled readers; bounded in time, 127.0.0.1 only. The latency
# a normal client saw in each is appended to $(BUILD)/io-latency.txt.
io: $(BUILD)/claimdb
	CLAIMDB_BIN=$(CURDIR)/$(BUILD)/claimdb BUILD=$(BUILD) $(PYTHON) -m pytest -q -s -p no:cacheprovider tests/io $(PYTEST_ARGS)

# The page in a real browser (scripts/e2e.sh; E2E_ARGS=tests/e2e/x.test.js narrows it).
e2e: $(BUILD)/claimdb
	@sh scripts/e2e.sh $(CURDIR)/$(BUILD)/claimdb $(E2E_ARGS)

# The README's screenshots of the page (docs/screenshots/), taken as the e2e tests run it.
screenshots: $(BUILD)/claimdb
	CLAIMDB_BIN=$(CURDIR)/$(BUILD)/claimdb node tests/e2e/screenshots.mjs

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory jsonld-deps unit fuzz-smoke api io compose-check e2e

# jsonld.js for the JSON-LD check of the W3C export (tests/jsonld), pinned by
# its package-lock.json; installed once from the npm registry.
jsonld-deps:
	@[ -d tests/jsonld/node_modules/jsonld ] || npm ci --prefix tests/jsonld --no-audit --no-fund

# The same suite, built with AddressSanitizer and UndefinedBehaviorSanitizer;
# the server must exit cleanly (no leaks) when the API tests stop it.
check:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory jsonld-deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT='-O1 -g -fno-omit-frame-pointer' \
	  SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' unit api io \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1

# libFuzzer targets (fuzz/*.c) with AddressSanitizer + UBSan, built by
# Debian's clang against every server module but main.c. `make fuzz` runs
# each for FUZZ_TIME seconds (default 60) on a corpus seeded from the
# fixtures and tests (build/fuzz/corpus/NAME); `make fuzz-smoke` (part of
# make test) replays the seeds and runs 20 000 more inputs per target.
FUZZ_CC    := clang
FUZZ_DIR   := build/fuzz
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -DCLAIMDB_VERSION='"$(VERSION)"' -g -O1 $(FUZZ_SAN) -MMD -MP \
              -I$(CURDIR)/server -I$(CURDIR)/$(BUILD) \
              -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_OBJ   := $(patsubst server/%.c,$(FUZZ_DIR)/obj/%.o,$(filter-out server/main.c,$(SRC))) \
              $(FUZZ_DIR)/obj/migrations.o $(FUZZ_DIR)/obj/openapi.o $(FUZZ_DIR)/obj/web_files.o
FUZZ_TIME  ?= 60
.SECONDARY: $(FUZZ_OBJ)
$(FUZZ_OBJ): | $(BUILD)/entity_sql.h

$(FUZZ_DIR)/obj/%.o: server/%.c | $(FUZZ_DIR)/obj
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/%.o: $(BUILD)/%.c | $(FUZZ_DIR)/obj
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj:
	mkdir -p $@

$(FUZZ_DIR)/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_OBJ)
	@echo "  FUZZ $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Werror -fsanitize=fuzzer $< $(FUZZ_OBJ) -o $@ $(LIBS)

fuzz-build:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
	@sh fuzz/seed.sh $(FUZZ_DIR)/corpus

fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  echo "== $$t ($(FUZZ_TIME) s)"; \
	  $(FUZZ_DIR)/$$t -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus/$$t \
	    2>&1 | grep -E "^(stat::number_of_executed_units|==|SUMMARY|.*invariant)" || exit 1; \
	done

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  $(FUZZ_DIR)/$$t -runs=20000 -max_len=4096 -timeout=10 -artifact_prefix=$(FUZZ_DIR)/crash-$$t- \
	    $(FUZZ_DIR)/corpus/$$t > $(FUZZ_DIR)/$$t.log 2>&1 \
	    || { tail -30 $(FUZZ_DIR)/$$t.log; exit 1; }; \
	  echo "fuzz $$t: $$(grep -o 'Done [0-9]* runs' $(FUZZ_DIR)/$$t.log || echo ok)"; \
	done

compose-check:
	@docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml: valid"

# The C sources in the house style (.clang-format). Twice: clang-format 14
# breaks a long string literal in two on one pass and aligns the pieces on the
# next, so a single pass is not yet where a second leaves the file.
FMT_FILES := $(wildcard server/*.c server/*.h server/gen/*.c tests/unit/*.c)

fmt:
	clang-format -i $(FMT_FILES)
	clang-format -i $(FMT_FILES)

# The lines clang-format would change; part of lint (make fmt makes it 0).
fmt-check:
	@n=0; for f in $(FMT_FILES); do \
	  d=$$(clang-format --style=file "$$f" | diff "$$f" - | grep -c '^>'); n=$$((n + d)); \
	  [ $$d -eq 0 ] || echo "fmt-check: $$f: $$d lines differ from .clang-format (run make fmt)"; done; \
	  echo "fmt-check: clang-format would change $$n lines"; [ $$n -eq 0 ]

lint:
	@sh scripts/deps.sh lint
	@$(MAKE) --no-print-directory $(BUILD)/entity_sql.h
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Iserver -I$(BUILD) server tests/unit
	@$(MAKE) --no-print-directory fmt-check compose-check openapi-check

# schema/openapi.json through a real OpenAPI validator (@apidevtools/swagger-parser,
# pinned by tests/openapi/package-lock.json), when node is present.
openapi-check:
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  [ -d tests/openapi/node_modules/@apidevtools/swagger-parser ] || npm ci --prefix tests/openapi --no-audit --no-fund; \
	  node tests/openapi/validate.mjs schema/openapi.json; \
	else echo "openapi-check: node/npm not installed; skipped"; fi

# The entity schemas of schema/openapi.json (Entity, EntityCreate, EntityPatch)
# brought up to the entity descriptions: a field described in server/entities.c
# and missing there is added (scripts/openapi_entities.py; test_description
# fails while the file is not up to date).
openapi: $(BUILD)/claimdb
	$(BUILD)/claimdb describe | $(PYTHON) scripts/openapi_entities.py schema/openapi.json

# schema/schema.sql, what the migrations produce: applied to a scratch database
# of the private cluster (.data/pg, started if needed), dumped with
# scripts/dump_schema.sh, dropped (test_core fails while the file is stale).
SCHEMA_DB = $$(sh scripts/pg.sh url $(DATA)/pg $(DEV_PGPORT) | sed 's,/claimdb$$,/claimdb_schema,')
schema: $(BUILD)/claimdb
	@sh scripts/pg.sh start $(DATA)/pg $(DEV_PGPORT)
	@sh scripts/pg.sh psql $(DATA)/pg $(DEV_PGPORT) -d postgres -c 'DROP DATABASE IF EXISTS claimdb_schema'
	@sh scripts/pg.sh createdb $(DATA)/pg $(DEV_PGPORT) claimdb_schema
	@DATABASE_URL="$(SCHEMA_DB)" $(BUILD)/claimdb migrate
	sh scripts/dump_schema.sh "$(SCHEMA_DB)" > schema/schema.sql.tmp && mv schema/schema.sql.tmp schema/schema.sql
	@sh scripts/pg.sh psql $(DATA)/pg $(DEV_PGPORT) -d postgres -c 'DROP DATABASE claimdb_schema'

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory BUILD=build/bench OPT='-O3 -DNDEBUG' all
	sh bench/run.sh $(CURDIR)/build/bench/claimdb $(N)

db-stop:
	@sh scripts/pg.sh stop $(DATA)/pg $(DEV_PGPORT)

db-reset:
	@sh scripts/pg.sh stop $(DATA)/pg $(DEV_PGPORT)
	rm -rf $(DATA)
	@echo "The private database is gone; the next make run starts afresh with the fixtures."

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
