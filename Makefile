# The two commands of the README: `make book` builds the book, `make test` runs every check.
# Each does its own set-up and redoes nothing that is already done.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.9.30
UV := .cache/uv-tool/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
# The kernel is installed into the venv; looking there first keeps a user-level kernelspec out of the way.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup book test lint unit nbval browser bench reference clean chromium

help:
	@echo "make book   - set up (venv from uv.lock, kernel, npm assets) and build the book into book/_build/html"
	@echo "make test   - set up, build, then run unit, data, notebook (nbval) and browser tests"
	@echo "make bench  - benchmark set-up, build, rebuild, nbval and page weights from a fresh clone"
	@echo "make reference - re-execute notebooks/ in place with default parameters (the outputs nbval checks)"
	@echo "BOOK_DATA_MIRROR must point at a copy of the data release (see README)."

$(UV):
	@echo "setup: installing uv $(UV_VERSION) into .cache/uv-tool"
	@$(PYTHON) -m venv .cache/uv-tool && .cache/uv-tool/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	@echo "setup: creating $(VENV) from uv.lock"
	@$(UV) sync --frozen --python "$(PYTHON)" --quiet
	@$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book)" >/dev/null
	@touch $@

node_modules/.installed: package.json package-lock.json
	@echo "setup: installing the book's browser scripts from npm (package-lock.json)"
	@npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

setup: $(VENV)/.synced node_modules/.installed

chromium:
	@command -v chromium >/dev/null || { echo "setup: installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

book: setup
	@$(PY) -m helpers build

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

test: lint book chromium
	@$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

bench: setup chromium
	@$(PY) scripts/benchmark.py

reference: setup
	@$(PY) -m helpers reference

clean:
	rm -rf book/_build book/_extra book/chapters .cache/runs .cache/jupyter-book
