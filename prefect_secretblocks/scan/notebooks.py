"""Find 1.x secret uses in the code cells of Jupyter notebooks, at the notebook file's own lines.

A notebook is JSON, which YAML reads as a node tree that keeps line numbers: each line of a
cell's `source` is a string on its own line of the file, so a use is reported where it is
written. Notebooks are reported, not rewritten by `--fix`.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

import yaml

from prefect_secretblocks.scan.config_files import YAML_LOADER, scalar
from prefect_secretblocks.scan.python_sources import scan_python
from prefect_secretblocks.scan.uses import SecretUse, join_notes

_MAGIC_PREFIXES = ("%", "!")  # IPython magics and shell escapes are not Python


def scan_notebook(text: str) -> list[SecretUse]:
    """
    The 1.x secret uses in a notebook's code cells; a cell that is not valid Python is passed over.

    Raises:
        yaml.YAMLError: The file is not JSON (the caller reports it as skipped).
    """
    root = yaml.compose(text, Loader=YAML_LOADER)
    uses: list[SecretUse] = []
    for cell in _items(_entry(root, "cells")):
        source = _entry(cell, "source")
        if scalar(_entry(cell, "cell_type")) != "code" or source is None:
            continue
        lines, file_lines, file_columns = _source_lines(source)
        code = "".join("\n" if line.lstrip().startswith(_MAGIC_PREFIXES) else line for line in lines)
        try:
            found = scan_python(code)
        except (SyntaxError, ValueError):
            continue
        uses.extend(
            dataclasses.replace(
                use,
                line=file_lines[min(use.line, len(file_lines)) - 1],
                column=file_columns[min(use.line, len(file_columns)) - 1] + use.column,
                span=None,
                note=join_notes(use.note, "in a notebook: rewrite by hand"),
            )
            for use in found
        )
    return uses


def _source_lines(source: yaml.Node) -> tuple[list[str], list[int], list[int]]:
    """
    A cell's source lines (each ending in a newline), the file line each one is on, and the file
    column (from 0) its text starts after: the string's opening quote (escapes before a use shift it).
    """
    if isinstance(source, yaml.ScalarNode):  # one string: all of it sits on one line of the file
        lines = str(source.value).splitlines(keepends=True)
        count = len(lines)
        return (
            [_ended(line) for line in lines],
            [source.start_mark.line + 1] * count,
            [source.start_mark.column + 1] * count,
        )
    nodes = [node for node in _items(source) if isinstance(node, yaml.ScalarNode)]
    return (
        [_ended(str(node.value)) for node in nodes],
        [node.start_mark.line + 1 for node in nodes],
        [node.start_mark.column + 1 for node in nodes],
    )


def _ended(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"


def _entry(node: Optional[yaml.Node], key: str) -> Optional[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return next((value for name, value in node.value if scalar(name) == key), None)
    return None


def _items(node: Optional[yaml.Node]) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []
