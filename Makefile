# Task runner. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
STUDY ?= data/demo
YEARS ?= 2016-2024
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install brief batch test test-fast lab validate demo-data lint strip lock bench clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the locked dependencies and the project

brief: $(STAMP) ## the main job: brief for the latest year of STUDY (default data/demo) into reports/
	$(PY) -m evaluation brief --study $(STUDY) $(ARGS)

batch: $(STAMP) ## briefs for every year in YEARS (default 2016-2024), in parallel, resumable
	$(PY) -m evaluation batch --study $(STUDY) --years $(YEARS) $(ARGS)

test: $(STAMP) ## the full test suite (slow checks included), as CI runs it
	$(PY) -m pytest $(ARGS)

test-fast: $(STAMP) ## the test suite without the slow checks
	$(PY) -m pytest -m "not slow" $(ARGS)

lab: $(STAMP) ## JupyterLab with the project's kernel registered
	$(PY) -m ipykernel install --sys-prefix --name evaluation --display-name "Python (evaluation)"
	$(VENV)/bin/jupyter lab notebooks/ $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

validate: $(STAMP) ## check the input tables of STUDY and print a report
	$(PY) -m evaluation validate --study $(STUDY)

demo-data: $(STAMP) ## regenerate data/demo from its seed (must change no committed byte)
	$(PY) -m evaluation demo-data --seed 2026 --out data/demo

lint: $(STAMP) ## ruff lint, mypy type check of the package; notebooks carry no outputs
	$(VENV)/bin/ruff check evaluation tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/nbstripout --verify notebooks/*.ipynb

strip: $(STAMP) ## strip outputs from the notebooks before committing
	$(VENV)/bin/nbstripout --keep-id notebooks/*.ipynb

lock: ## regenerate requirements.lock from pyproject.toml in a throwaway venv
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .lock-venv

bench: $(STAMP) ## run the benchmark scripts (prints figures; slow)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove reports/ (never data/)
	rm -rf reports/
