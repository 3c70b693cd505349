# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv (the newest Prefect,
# constraints.txt) when needed. `make test-matrix` runs the suite on every supported Prefect leg with nox
# (noxfile.py), each leg in its own venv under .nox/; `make test-prefect2` runs the Prefect 2 leg alone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The embedded default Prefect keeps its SQLite database here, inside the repo (git-ignored).
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: demo test test-prefect2 test-prefect3-oldest test-matrix lint docs screenshots bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test,lint,docs,twitter]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/python examples/demo.py

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-prefect2: $(VENV)/.installed
	$(BIN)/nox -s "tests(prefect='2.20.27')" -- $(ARGS)

test-prefect3-oldest: $(VENV)/.installed
	$(BIN)/nox -s "tests(prefect='3.9.0')" -- $(ARGS)

test-matrix: $(VENV)/.installed
	$(BIN)/nox

# ruff (lint and format), mypy on the package, codespell: the same hooks as .pre-commit-config.yaml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/codespell

docs: $(VENV)/.installed
	$(BIN)/mkdocs serve

# docs/blocks/img/: each block's catalog card and create form, with placeholder values, in Prefect 3's
# classic and new UIs (this venv), then in Prefect 2's UI (its nox venv); needs /usr/bin/chromium.
screenshots: $(VENV)/.installed
	$(BIN)/python -m tests.e2e.screenshots
	$(BIN)/nox -r -s "screenshots(prefect='2.20.27')"

bench: $(VENV)/.installed
	$(BIN)/python bench/run_all.py --write-docs

clean:
	rm -rf $(VENV) .nox .prefect .cache site build dist
