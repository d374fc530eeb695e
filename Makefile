# Every target sets up its own virtualenv on first use: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
CASE ?= inputs/shuangliao
SCENARIO ?= province_2030
# batch options, e.g. make scenarios DAYS=12 (representative days; 0 = every hour), SIZING_DAYS=0 (sizes and hours
# in one optimisation), HOURS=720 WORKERS=2 FORCE=1 OUT=results/mine SCENARIOS="base_2030 market_expansion",
# make sweep SWEEP=... SCHEDULER=tcp://host:8786
BATCH_OPTS = $(if $(HOURS),--hours $(HOURS)) $(if $(DAYS),--days $(DAYS)) \
	$(if $(SIZING_DAYS),--sizing-days $(SIZING_DAYS)) $(if $(WORKERS),--workers $(WORKERS)) \
	$(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(FORCE),--force) $(if $(OUT),--out $(OUT))

ARGS ?=

.PHONY: help run test profiles bench clean chromium scenarios sweep lock fuzz

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

# Installs follow the lock files (requirements/*.lock, made by `make lock` with uv from pyproject.toml): the run
# needs the model's libraries and HiPO only; tests, benchmark, images and profiles add PyPSA, playwright, dask,
# kaleido, pvlib and windpowerlib (test.lock is constrained by run.lock, so the shared versions agree).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml requirements/run.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/run.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml requirements/test.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(TEST_STAMP) $(RUN_STAMP)

lock: $(BIN)/python  ## re-resolve the lock files from pyproject.toml (uv)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra hipo --python-version 3.11 -o requirements/run.lock -q
	$(BIN)/uv pip compile pyproject.toml --all-extras --python-version 3.11 -c requirements/run.lock \
	  -o requirements/test.lock -q

run: $(if $(findstring --images,$(ARGS)),$(TEST_STAMP) chromium,$(RUN_STAMP))  ## solve the default case (full year) into results/$(SCENARIO)/ (a shortened run into its own folder); ARGS="--images --lang en" passes options
	$(BIN)/energy-model run $(CASE) --scenario $(SCENARIO) $(ARGS)

scenarios: $(RUN_STAMP)  ## every scenario of the case, or SCENARIOS="a b" (full year; DAYS=12 for a quick batch into results/scenarios_d12/; OUT= another folder), in parallel, with comparison.html
	$(BIN)/energy-model scenarios $(CASE) $(foreach s,$(SCENARIOS),-s $(s)) $(BATCH_OPTS)

sweep: $(RUN_STAMP)  ## a parameter sweep: make sweep SWEEP=inputs/shuangliao/sweeps/storage_h2_export.yaml [DAYS=12]
	@test -n "$(SWEEP)" || { echo "usage: make sweep SWEEP=<sweep file>"; exit 2; }
	$(BIN)/energy-model sweep $(SWEEP) $(BATCH_OPTS)

test: $(TEST_STAMP) chromium  ## the whole test suite
	$(BIN)/python -m pytest -q

# Debian's Chromium (and CJK fonts) for the browser tests and the PNG images, installed when missing and
# possible (root with apt-get, as on CI); otherwise the browser tests skip and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
	  echo "note: Debian's chromium could not be installed: the browser tests will be skipped"

fuzz: $(TEST_STAMP)  ## a long fuzzing run of mutated cases (FUZZ_EXAMPLES=300): prints each mutation and its exit
	FUZZ_EXAMPLES=$(or $(FUZZ_EXAMPLES),300) $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py

bench: $(TEST_STAMP)  ## this model against PyPSA, full year and representative days: results/bench/bench.md
	nice $(BIN)/python benchmarks/bench.py --case $(CASE) --scenario $(SCENARIO) --days 12

profiles: $(TEST_STAMP)  ## regenerate the hourly profiles of the default case
	$(BIN)/python -m synthetic_weather.generator --out $(CASE)/timeseries

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
