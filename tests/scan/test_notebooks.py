"""Notebooks: code cells scanned as Python, reported at the notebook file's lines, never rewritten."""

from __future__ import annotations

import json

import pytest
import yaml

from prefect_secretblocks.scan.notebooks import scan_notebook
from prefect_secretblocks.scan.uses import Kind


def notebook(*cells: object) -> str:
    """A notebook as Jupyter writes it (JSON, indent 1)."""
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def code(*lines: str) -> dict[str, object]:
    return {"cell_type": "code", "metadata": {}, "outputs": [], "source": list(lines)}


def test_a_use_is_reported_at_its_line_in_the_notebook_file() -> None:
    text = notebook(code("from prefect.client import Secret\n", 'token = Secret("GITHUB_ACCESS_TOKEN").get()'))
    [use] = scan_notebook(text)
    assert (use.kind, use.secret) == (Kind.READ, "GITHUB_ACCESS_TOKEN")
    assert 'Secret(\\"GITHUB_ACCESS_TOKEN\\")' in text.splitlines()[use.line - 1]


def test_notebook_uses_are_not_rewritten() -> None:
    [use] = scan_notebook(notebook(code("import prefect\n", 'prefect.context.secrets["X"]')))
    assert use.span is None and "notebook" in use.note


def test_magics_and_shell_escapes_do_not_hide_the_cell() -> None:
    text = notebook(
        code("%load_ext autoreload\n", "!pip install x\n", "import prefect\n", 'prefect.context.secrets["X"]')
    )
    assert [use.secret for use in scan_notebook(text)] == ["X"]


def test_a_cell_that_is_not_python_is_passed_over_and_markdown_is_ignored() -> None:
    text = notebook(
        {"cell_type": "markdown", "metadata": {}, "source": ['Secret("X").get()']},
        code("def broken(:\n"),
        code("import prefect\n", 'prefect.context.secrets["Y"]'),
    )
    assert [use.secret for use in scan_notebook(text)] == ["Y"]


def test_a_source_given_as_one_string_is_read_too() -> None:
    text = notebook(
        {"cell_type": "code", "metadata": {}, "outputs": [], "source": 'import prefect\nprefect.context.secrets["X"]'}
    )
    assert [use.secret for use in scan_notebook(text)] == ["X"]


def test_a_file_that_is_not_json_raises_for_the_caller_to_skip() -> None:
    with pytest.raises(yaml.YAMLError):
        scan_notebook('{"cells": [')
