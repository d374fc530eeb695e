# Every target sets up its own virtualenv on first use: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CASE ?= inputs/shuangliao
SCENARIO ?= base_2030

ARGS ?=

.PHONY: run test profiles bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,profiles,images]"
	touch $(STAMP)

run: $(STAMP) $(if $(findstring --images,$(ARGS)),chromium)  ## solve the default case (full year) into results/$(SCENARIO)/; ARGS="--images --lang en" passes options
	$(BIN)/energy-model run $(CASE) --scenario $(SCENARIO) --out results/$(SCENARIO) $(ARGS)

test: $(STAMP) chromium  ## the whole test suite
	$(BIN)/python -m pytest -q

# Debian's Chromium (and CJK fonts) for the browser tests and the PNG images, installed when missing and
# possible (root with apt-get, as on CI); otherwise the browser tests skip and say why.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
	  echo "note: Debian's chromium could not be installed: the browser tests will be skipped"

profiles: $(STAMP)  ## regenerate the hourly profiles of the default case
	$(BIN)/python -m energy_model.profiles --out $(CASE)/timeseries

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
