# Demine: one entry point for a developer, a deployer and CI.
#   make run      SQLite server with the national demo programme (needs only Python)
#   make test     system packages + test venv + pytest (PYTEST_ARGS='-m "not postgis"' for a quick run)
#   make bench    every bench/*.py
SHELL := /bin/bash
.DEFAULT_GOAL := run

# python3.11 is the supported version; python3 is the fallback for machines without it.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEMINE_DB ?= demine.db
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: venv venv-test system-deps run test bench clean distclean

# A fresh Debian has python3 without its venv module (python3-venv); as root it is installed here, for `make run` too.
$(PY):
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || bash scripts/install-system-deps.sh python3-venv
	$(PYTHON) -m venv $(VENV)

# Stamp files make reruns instant: pip only runs when a requirements file or pyproject.toml changes.
$(VENV)/.stamp-base: requirements/base.txt pyproject.toml | $(PY)
	$(PY) -m pip install -q -r requirements/base.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

# test.txt includes base.txt with -r, so it depends on both and satisfies the base stamp too.
$(VENV)/.stamp-test: requirements/test.txt requirements/base.txt pyproject.toml | $(PY)
	$(PY) -m pip install -q -r requirements/test.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@ $(VENV)/.stamp-base

venv: $(VENV)/.stamp-base
venv-test: $(VENV)/.stamp-test

system-deps:
	bash scripts/install-system-deps.sh

# The national demo programme is built once (about two minutes) and reused by later runs.
run: venv
	$(VENV)/bin/demine --db $(DEMINE_DB) init
	$(VENV)/bin/demine --db $(DEMINE_DB) demo --scale national --if-empty
	$(VENV)/bin/demine --db $(DEMINE_DB) serve --host $(HOST) --port $(PORT)

# pytest's exit code passes through unchanged: exit 5 (no tests collected) fails the target.
test: system-deps venv-test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: venv-test
	@set -e; shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench: no bench/*.py scripts"; fi; \
	for f in "$${scripts[@]}"; do echo "== $$f"; $(PY) "$$f"; done

# Caches and build output only: the venv and the user's database survive (see distclean).
clean:
	rm -rf build/ dist/ .pytest_cache/ .hypothesis/ src/*.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
