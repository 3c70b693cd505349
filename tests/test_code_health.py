"""The habits a maintainer checks by eye, as tests: short functions, and Prefect's private names only in `_compat`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "prefect_secretblocks"
#: shared/STYLE.md: "Functions under ~40 lines"; a longer one is a small object with named steps.
MAX_FUNCTION_LINES = 40


def functions() -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}", node


def code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from `def` to the end, the docstring left out (it explains, it does not add work)."""
    assert function.end_lineno is not None
    lines = function.end_lineno - function.lineno + 1
    first = function.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        assert first.end_lineno is not None
        lines -= first.end_lineno - first.lineno + 1
    return lines


def test_no_function_is_over_40_lines() -> None:
    too_long = {where: code_lines(node) for where, node in functions() if code_lines(node) > MAX_FUNCTION_LINES}
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_private_prefect_names_only_in_compat(path: Path) -> None:
    if path.parent.name == "_compat":
        return
    tree = ast.parse(path.read_text(), filename=str(path))
    private = [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("prefect")
        and (
            any(part.startswith("_") for part in (node.module or "").split("."))
            or any(alias.name.startswith("_") for alias in node.names)
        )
        and not (node.module or "").startswith("prefect_")
    ]
    assert not private, f"private Prefect imports outside _compat: {private}"
