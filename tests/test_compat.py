"""`_compat`: the one place that knows the Prefect version, and every private Prefect name it uses."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from prefect_secretblocks import _compat
from prefect_secretblocks._compat import PREFECT_2, PREFECT_VERSION, PRIVATE_PREFECT_NAMES


# On Prefect 2 there are none: pytest reports the empty parameter set as a skip.
@pytest.mark.parametrize("dotted_name", PRIVATE_PREFECT_NAMES)
def test_each_private_prefect_name_still_exists(dotted_name: str) -> None:
    module_name, _, attribute = dotted_name.rpartition(".")
    try:
        found = hasattr(importlib.import_module(module_name), attribute)
    except ImportError:
        found = False
    assert found, f"Prefect {PREFECT_VERSION} no longer has {dotted_name}: add a fallback in _compat"


def test_the_installed_majors_module_is_the_one_re_exported() -> None:
    expected = "prefect_secretblocks._compat.prefect2" if PREFECT_2 else "prefect_secretblocks._compat.prefect3"
    assert _compat.aload_block.__module__ == expected


def test_both_majors_modules_export_the_same_names() -> None:
    # Read as text: the other major's module cannot be imported next to this Prefect.
    def exported(module: str) -> set[str]:
        tree = ast.parse((Path(_compat.__file__).parent / f"{module}.py").read_text())
        assignment = next(
            node
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
        )
        return set(ast.literal_eval(assignment.value))

    assert exported("prefect2") == exported("prefect3")
