# Every target sets up its own virtualenv on first use: a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CASE ?= inputs/shuangliao
SCENARIO ?= base_2030

.PHONY: run test profiles bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,profiles]"
	touch $(STAMP)

run: $(STAMP)  ## solve the default case (full year) into results/$(SCENARIO)/
	$(BIN)/energy-model run $(CASE) --scenario $(SCENARIO) --out results/$(SCENARIO)

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest -q

profiles: $(STAMP)  ## regenerate the hourly profiles of the default case
	$(BIN)/python -m energy_model.profiles --out $(CASE)/timeseries

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
