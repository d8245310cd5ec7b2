# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: demo test lint catalog bench clean

$(STAMP): pyproject.toml setup.py analyzer/_fastclf.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -qq -e .
	touch $@

$(DEVSTAMP): pyproject.toml setup.py analyzer/_fastclf.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -qq -e '.[dev]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(DEVSTAMP)
	$(BIN)/ruff check analyzer tests benchmarks scripts
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests

lint: $(DEVSTAMP)
	$(BIN)/ruff check analyzer tests benchmarks scripts
	$(BIN)/ruff format --check analyzer tests benchmarks scripts

# Rebuild the endpoint catalogue from ../shared/reference (review the diff like code).
catalog: $(STAMP)
	$(BIN)/python -m analyzer.catalog.build

bench: $(DEVSTAMP)
	$(BIN)/python -m benchmarks.bench_router
	$(BIN)/python -m benchmarks.bench_ingest --lines 1000000 --startup
	$(BIN)/python -m benchmarks.bench_ingest --lines 1000000 --unique-queries
	$(BIN)/python -m benchmarks.bench_ingest --lines 10000000 --unique-queries
	$(BIN)/python -m benchmarks.bench_ingest --lines 1000000 --format proxysg
	$(BIN)/python -m benchmarks.bench_ingest --lines 10000000 --stream 10
	$(BIN)/python -m benchmarks.bench_ingest --lines 1000000 --format nginx_json
	$(BIN)/python -m benchmarks.bench_reports --lines 10000000
	$(BIN)/python -m benchmarks.bench_spark --lines 10000000 --parts 8 --lake-requests 100000000

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache demo-workspace.duckdb demo-report.html
