# release-publisher: the quick start is `make demo` then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: help demo test lint unit integration container bench clean

help:
	@echo "make demo    publish the sample app to the built-in Marketplace emulator"
	@echo "make test    lint (ruff, mypy), then unit, integration and container tests"
	@echo "make bench   benchmarks (see benchmarks/README.md); not part of make test"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "release-publisher needs Python 3.11+ (PYTHON=$(PYTHON))"; exit 2; }
	$(PYTHON) -m venv $(VENV)

# The demo needs the package and the emulator (the [sandbox] extra) only.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[sandbox]'
	@touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test,sandbox]'
	@touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(BIN)/python examples/demo.py

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(VENV)/.test-installed
	$(BIN)/pytest tests/unit

integration: $(VENV)/.test-installed
	$(BIN)/pytest tests/integration

container: $(VENV)/.test-installed
	$(BIN)/pytest tests/container

test: lint $(VENV)/.test-installed
	$(BIN)/pytest

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache demo-out
