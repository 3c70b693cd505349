"""A fresh copy of the 1.x fixture project for each test that scans or rewrites it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_PROJECT = Path(__file__).parent / "fixtures" / "v1_project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fixture tree copied to a temporary directory (`--fix` rewrites files in place)."""
    return Path(shutil.copytree(FIXTURE_PROJECT, tmp_path / "v1_project"))


MONOREPO = Path(__file__).parent / "fixtures" / "v1_monorepo"


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A 1.x code base in the shape of real ones (helpers, SDK clients, Makefile, README), copied."""
    return Path(shutil.copytree(MONOREPO, tmp_path / "v1_monorepo"))
