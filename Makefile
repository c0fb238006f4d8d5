# Two commands on a fresh machine: `make run` serves the atlas, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format build check clean system-deps bytecode

run: $(STAMP) bytecode translations js-vendor
	$(BIN)/corridor-atlas serve --host 127.0.0.1 --port 8000

test: $(STAMP) bytecode translations system-deps axe js-vendor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/corridor-atlas build --check
	$(BIN)/pytest

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The project's own modules compiled ahead, so every process started (a server, the CLI in the
# tests) reads their bytecode even where PYTHONDONTWRITEBYTECODE is set, as it is here: a
# quarter of a second of each server's start. Python uses a file's bytecode while the file's
# modification time and size are those it was compiled from; this compiles only what changed.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q cli webapp geodata

# Debian packages, installed when a command they provide is missing (as root, or through sudo).
# $(call apt_packages,<commands to look for>,<packages>)
define apt_packages
	@if ! ( for tool in $(1); do command -v $$tool >/dev/null || [ -x /usr/sbin/$$tool ] || exit 1; done ); then \
	  echo "installing Debian packages: $(2)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(2); \
	fi
endef

# The tests drive Debian's chromium (browser tests), GDAL's ogrinfo (a real OGC API client) and
# nginx (a caching proxy in front of the server, and the static server of the published site).
system-deps:
	$(call apt_packages,chromium ogrinfo,chromium gdal-bin fonts-dejavu-core)
	$(call apt_packages,nginx,nginx)
	$(call apt_packages,npm,npm)
	@# nginx's brotli_static (the published site's .br files) is a module, not a command.
	@[ -e $(BROTLI_STATIC_MODULE) ] || { \
	  echo "installing Debian packages: libnginx-mod-http-brotli-static"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends libnginx-mod-http-brotli-static; }
BROTLI_STATIC_MODULE := /usr/lib/nginx/modules/ngx_http_brotli_static_module.so

# axe-core, the accessibility checker the browser tests load into every page (issue 12), from
# the npm registry at a pinned version into the git-ignored .tools/axe/.
AXE_VERSION := 4.14.1
AXE_STAMP := .tools/axe/.installed-$(AXE_VERSION)
.PHONY: axe
axe: $(AXE_STAMP)
$(AXE_STAMP): | system-deps
	npm install --prefix .tools/axe --no-save --no-package-lock --no-audit --no-fund --silent \
	  axe-core@$(AXE_VERSION)
	touch $@

# any-ascii, the JavaScript port of the anyascii transliteration behind the search keys (issue
# 13), from the npm registry at a pinned version; its module and table are copied into the
# git-ignored webapp/static/vendor/any-ascii/, which the app serves and the map imports at the
# first query not written in ASCII. Only npm is needed, not the browser tests' packages.
ANY_ASCII_VERSION := 0.3.3
ANY_ASCII_STAMP := .tools/any-ascii/.installed-$(ANY_ASCII_VERSION)
ANY_ASCII_DIR := webapp/static/vendor/any-ascii
.PHONY: js-vendor npm-dep
js-vendor: $(ANY_ASCII_DIR)/any-ascii.js
$(ANY_ASCII_DIR)/any-ascii.js: $(ANY_ASCII_STAMP)
	mkdir -p $(ANY_ASCII_DIR)
	cp .tools/any-ascii/node_modules/any-ascii/any-ascii.js \
	  .tools/any-ascii/node_modules/any-ascii/block.js \
	  .tools/any-ascii/node_modules/any-ascii/LICENSE $(ANY_ASCII_DIR)/
	touch $@
$(ANY_ASCII_STAMP): | npm-dep
	npm install --prefix .tools/any-ascii --no-save --no-package-lock --no-audit --no-fund --silent \
	  any-ascii@$(ANY_ASCII_VERSION)
	touch $@
npm-dep:
	$(call apt_packages,npm,npm)

# html-to-image (MIT), which draws the map's view into a PNG in the reader's browser (issue 14),
# from the npm registry at a pinned version; its UMD build is copied into the git-ignored
# webapp/static/vendor/html-to-image/, which map-export.js loads only when "Save as PNG" is
# clicked.
HTML_TO_IMAGE_VERSION := 1.11.13
HTML_TO_IMAGE_STAMP := .tools/html-to-image/.installed-$(HTML_TO_IMAGE_VERSION)
HTML_TO_IMAGE_DIR := webapp/static/vendor/html-to-image
js-vendor: $(HTML_TO_IMAGE_DIR)/html-to-image.js
$(HTML_TO_IMAGE_DIR)/html-to-image.js: $(HTML_TO_IMAGE_STAMP)
	mkdir -p $(HTML_TO_IMAGE_DIR)
	cp .tools/html-to-image/node_modules/html-to-image/dist/html-to-image.js \
	  .tools/html-to-image/node_modules/html-to-image/LICENSE $(HTML_TO_IMAGE_DIR)/
	touch $@
$(HTML_TO_IMAGE_STAMP): | npm-dep
	npm install --prefix .tools/html-to-image --no-save --no-package-lock --no-audit --no-fund \
	  --silent html-to-image@$(HTML_TO_IMAGE_VERSION)
	touch $@

# The benchmarks also run wrk and nginx (serving) and npm (folium's default files, benchmark 3).
bench-deps: system-deps
	$(call apt_packages,wrk,wrk)
	$(call apt_packages,npm,npm)

# The interface's languages (issue 13): message catalogues in webapp/translations/<lang>/LC_MESSAGES/,
# `messages` for templates and Python, `js` for the scripts. `make messages` extracts the strings
# and updates every catalogue; translate the new entries, then `make translations` compiles them
# (make run and make test do so too).
TRANSLATIONS := webapp/translations
PO_FILES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
.PHONY: translations messages
translations: $(MO_FILES)
$(TRANSLATIONS)/%.mo: $(TRANSLATIONS)/%.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@
messages: $(STAMP)
	$(BIN)/python -m webapp.i18n.extraction
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -D messages -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -D js -i $(TRANSLATIONS)/js.pot -d $(TRANSLATIONS)

build: $(STAMP)
	$(BIN)/corridor-atlas build

check: $(STAMP)
	$(BIN)/corridor-atlas build --check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Hardening campaigns (issue 5). The test suite runs short versions of both.
.PHONY: fuzz load

# Bad requests: schemathesis over every operation of the OpenAPI document, three seeds of
# 1,000 examples per operation and phase against a live server; prints the counts.
fuzz: $(STAMP)
	ATLAS_FUZZ_EXAMPLES=1000 ATLAS_FUZZ_SEEDS=1,2,3 $(BIN)/pytest tests/campaigns/test_fuzz.py -q -s

# Load: 50 clients for 60 s against `corridor-atlas serve` over the committed data; writes
# loadtest/REPORT.md and fails on any error.
load: $(STAMP)
	$(BIN)/python loadtest/run.py

# Performance (issue 6): every benchmark beside its reference, written to bench/RESULTS.md in
# 47-93 minutes here (most of it benchmark 7's publishing of 100,000 features).
.PHONY: bench bench-deps
bench: $(STAMP) bytecode bench-deps
	$(BIN)/python -m bench.run

# Geoparsing (issue 11): parse_places on four research corpora; writes bench/EVAL.md.
.PHONY: eval
eval: $(STAMP)
	$(BIN)/python -m bench.eval
