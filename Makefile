# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv when needed.
# `make test-prefect2` runs the same suite on Prefect 2 in its own venv, .venv-prefect2.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV2 := .venv-prefect2
BIN2 := $(VENV2)/bin
# The embedded default Prefect keeps its SQLite database here, inside the repo (git-ignored).
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: demo test test-prefect2 lint docs bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,lint,docs,twitter]"
	touch $@

$(VENV2)/.installed: pyproject.toml constraints-prefect2.txt
	$(PYTHON) -m venv $(VENV2)
	$(BIN2)/pip install --quiet --upgrade pip
	# pillow: Prefect 2's BlockStandardTestSuite imports PIL (Prefect 3's does not).
	$(BIN2)/pip install --quiet -c constraints-prefect2.txt -e ".[test,docs,twitter]" pillow
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py

test: $(VENV)/.installed
	$(BIN)/python -m pytest

test-prefect2: $(VENV2)/.installed
	$(BIN2)/python -m pytest

# ruff (lint and format), mypy on the package, codespell: the same hooks as .pre-commit-config.yaml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/codespell

docs: $(VENV)/.installed
	$(BIN)/mkdocs serve

bench: $(VENV)/.installed
	$(BIN)/python bench/run_all.py --write-docs

clean:
	rm -rf $(VENV) $(VENV2) .prefect .cache site
