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

.PHONY: help setup book test lint unit nbval browser bench reference clean chromium lab lab-data

help:
	@echo "make book   - set up (venv from uv.lock, kernel, npm assets) and build the book into book/_build/html"
	@echo "make test   - set up, build, then run unit, data, notebook (nbval) and browser tests"
	@echo "make bench  - benchmark set-up, build, rebuild, nbval and page weights from a fresh clone"
	@echo "make reference - re-execute notebooks/ in place with default parameters (the outputs nbval checks)"
	@echo "make lab    - set up, then JupyterLab on 127.0.0.1 (token in the printed URL), opened on notebooks/"
	@echo "BOOK_DATA_MIRROR must point at a copy of the data release (see README)."

$(UV):
	@echo "setup: installing uv $(UV_VERSION) into .cache/uv-tool"
	@$(PYTHON) -m venv .cache/uv-tool && .cache/uv-tool/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	@echo "setup: creating $(VENV) from uv.lock"
	@# --compile-bytecode: Python reads the packages' .pyc files even where PYTHONDONTWRITEBYTECODE is
	@# set (as on these machines), so no process (build, kernel, Sphinx) compiles pandas or Sphinx again.
	@$(UV) sync --frozen --python "$(PYTHON)" --quiet --compile-bytecode
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

book: setup chromium
	@# The package's own bytecode too (only changed modules are compiled): a no-change rebuild is mostly imports.
	@$(PY) -m compileall -q src/helpers
	@$(PY) -m helpers build

lint: setup
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

test: lint book chromium
	@$(PY) -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider

bench: setup chromium
	@$(PY) scripts/benchmark.py

reference: setup
	@$(PY) -m helpers reference

# `make lab`: JupyterLab from the same venv and kernel, opened on notebooks/. LAB_PORT (a busy port
# moves to the next free one), LAB_DIR and LAB_ARGS (more JupyterLab options) can be set on the line.
LAB_DIR ?= notebooks
LAB_PORT ?= 8888
LAB_ARGS ?=
LAB_SETTINGS := .cache/lab-settings
# Containers and CI machines run as root, where Jupyter refuses to start without being told.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

lab-data:
	@if [ -z "$$BOOK_DATA_MIRROR" ] && [ -d .cache/data-release ]; then \
	  echo "lab: BOOK_DATA_MIRROR is not set: the notebooks read the release refreshed into .cache/data-release/"; \
	elif [ -z "$$BOOK_DATA_MIRROR" ]; then \
	  echo "make lab: BOOK_DATA_MIRROR is not set; the notebooks read the data release from it. Fix: export BOOK_DATA_MIRROR=/path/to/data-release (the folder holding SHA256SUMS, sotkanet/, statfin/; see the README) and run make lab again." >&2; exit 2; \
	elif [ ! -d "$$BOOK_DATA_MIRROR" ]; then \
	  echo "make lab: BOOK_DATA_MIRROR=$$BOOK_DATA_MIRROR is not a folder. Fix: point it at the data release (the folder holding SHA256SUMS)." >&2; exit 2; \
	fi

# Autosave off: the stored outputs are the reference edition nbval checks, so a notebook changes on disk
# only when you save it (README: how to undo that). News and update checks off: nothing from the internet
# (the extension manager is read-only for the same reason).
$(LAB_SETTINGS)/overrides.json: Makefile
	@mkdir -p $(@D)
	@echo '{"@jupyterlab/docmanager-extension:plugin": {"autosave": false}, "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $@

lab: lab-data setup $(LAB_SETTINGS)/overrides.json
	@echo "lab: JupyterLab $$($(VENV)/bin/jupyter-lab --version) on $(LAB_DIR)/ with the kernel \"Python 3 (book)\" of $(VENV); data: $${BOOK_DATA_MIRROR:-.cache/data-release}"
	@echo "lab: open the http://127.0.0.1:...?token=... URL printed below (only this machine can reach it); stop with Ctrl+C twice"
	@$(VENV)/bin/jupyter-lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) --ServerApp.root_dir="$(LAB_DIR)" \
	  --LabApp.app_settings_dir="$(CURDIR)/$(LAB_SETTINGS)" --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly \
	  $(LAB_ROOT) $(LAB_ARGS)

clean:
	rm -rf book/_build book/_extra book/chapters .cache/runs .cache/jupyter-book
