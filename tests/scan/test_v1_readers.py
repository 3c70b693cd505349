"""The 1.x readers table against the source of the real `prefect==1.4.1` (read, not imported: extras are missing)."""

from __future__ import annotations

import ast
import subprocess
from functools import cache
from pathlib import Path

import pytest

from prefect_secretblocks.scan.v1_readers import V1_READERS, SecretParameter, SecretReader
from tests.migration.conftest import _ensure_oracle_venv

pytestmark = pytest.mark.differential
# 0.x tasks took a secret's name here; 1.x takes the value instead, so these are not in 1.4.1.
ZERO_X_KEYWORDS = {"token_secret", "credentials_secret"}
CASES = [
    (reader, name, parameter)
    for reader in V1_READERS
    for name in reader.names
    for parameter in reader.parameters
    if parameter.keyword not in ZERO_X_KEYWORDS
]


@pytest.fixture(scope="module")
def prefect1_root() -> Path:
    python = _ensure_oracle_venv()
    found = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util; print(importlib.util.find_spec('prefect').submodule_search_locations[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip())


@cache
def definitions(root: Path) -> dict[str, list[tuple[Path, ast.AST]]]:
    """Every top-level class and function of prefect 1.4.1, by name."""
    defined: dict[str, list[tuple[Path, ast.AST]]] = {}
    for path in root.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                defined.setdefault(node.name, []).append((path, node))
    return defined


def module_of(root: Path, path: Path) -> str:
    return ".".join(("prefect", *path.relative_to(root).with_suffix("").parts))


def parameters_of(node: ast.AST) -> list[list[str]]:
    """The argument names of a function, or of a class's `__init__` and `run`, without `self`."""
    functions = (
        [node]
        if isinstance(node, ast.FunctionDef)
        else [
            item
            for item in node.body
            if isinstance(item, ast.FunctionDef) and item.name in ("__init__", "run")  # type: ignore[attr-defined]
        ]
    )
    return [[arg.arg for arg in function.args.args if arg.arg != "self"] for function in functions]


@pytest.mark.parametrize(
    ("reader", "name", "parameter"),
    CASES,
    ids=[f"{name}-{parameter.keyword or parameter.default}" for _, name, parameter in CASES],
)
def test_reader_reads_the_named_secret_or_default_as_1_4_1_does(
    prefect1_root: Path, reader: SecretReader, name: str, parameter: SecretParameter
) -> None:
    [(path, node)] = [
        (path, node)
        for path, node in definitions(prefect1_root)[name]
        if reader.matches(f"{module_of(prefect1_root, path)}.{name}")
    ]
    signatures = parameters_of(node)
    if parameter.keyword is not None:
        assert any(parameter.keyword in arguments for arguments in signatures)
    if parameter.position is not None:
        assert signatures[0].index(parameter.keyword) == parameter.position  # type: ignore[arg-type]
    if parameter.default is not None:
        # The default is in the reader's module, or in the utility it reads credentials through.
        utilities = (prefect1_root / "utilities").rglob("*.py")
        sources = [path.read_text(), *(utility.read_text() for utility in utilities)]
        assert any(f'"{parameter.default}"' in source for source in sources)
