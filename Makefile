# sdgnet — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8000
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: install demo setup serve test lint format bench clean

AXE    := node_modules/axe-core/axe.min.js

install: $(STAMP) $(AXE)

# Re-installs only when the project's metadata changes (idempotent).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# axe-core for the accessibility checks of the browser tests, pinned by package-lock.json.
# Only the tests need it: without npm, `make demo` still works and the browser tests say why they fail.
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $(AXE); \
	else echo "npm not found: axe-core (browser tests) not installed" >&2; fi

# Pango for the council report's PDF; without root or sudo the demo runs all the same and
# the PDF address says what to install.
demo: install
	@scripts/install_system_packages.sh --pdf \
	  || echo "Pango not installed: PDF reports answer 503 (run scripts/install_system_packages.sh --pdf as root)" >&2
	$(BIN)/sdgnet setup
	$(BIN)/sdgnet serve --port $(PORT)

test: install
	scripts/run_tests.sh

lint: install
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests scripts bench
	$(BIN)/ruff format src tests scripts bench

# The benchmarks' own extra (pandas, for the engine's pandas comparison).
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	scripts/run_bench.sh

clean:
	rm -rf var bench/out test-artifacts node_modules .pytest_cache .mypy_cache .ruff_cache
