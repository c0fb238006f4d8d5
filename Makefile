# Two commands on a fresh machine: `make run` serves the atlas, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format build check clean system-deps

run: $(STAMP)
	$(BIN)/corridor-atlas serve --host 127.0.0.1 --port 8000

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/corridor-atlas build --check
	$(BIN)/pytest

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The tests drive Debian's chromium (browser tests) and GDAL's ogrinfo (a real OGC API client);
# install them when missing (as root, or through sudo).
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v ogrinfo >/dev/null; then \
	  echo "installing Debian packages for the tests: chromium gdal-bin"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    chromium gdal-bin fonts-dejavu-core; \
	fi

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
	ATLAS_FUZZ_EXAMPLES=1000 ATLAS_FUZZ_SEEDS=1,2,3 $(BIN)/pytest tests/test_fuzz.py -q -s

# Load: 50 clients for 60 s against `corridor-atlas serve` over the committed data; writes
# loadtest/REPORT.md and fails on any error.
load: $(STAMP)
	$(BIN)/python loadtest/run.py

# Performance (issue 6): every benchmark beside its reference, written to bench/RESULTS.md in
# about five minutes.
.PHONY: bench
bench: $(STAMP) system-deps
	$(BIN)/python -m bench.run
