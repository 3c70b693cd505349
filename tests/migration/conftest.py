"""The oracle: a separate venv with the real `prefect==1.4.1`, created once and cached."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

HERE = Path(__file__).parent
ORACLE_VENV = Path(
    os.environ.get("PREFECT1_ORACLE_VENV", Path.home() / ".cache" / "prefect-secretblocks" / "prefect1.4.1-venv")
)

OracleRun = Callable[[list[dict[str, str]]], list[dict[str, Any]]]


def _ensure_oracle_venv() -> Path:
    python = ORACLE_VENV / "bin" / "python"
    ready = ORACLE_VENV / ".ready"
    if not ready.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(ORACLE_VENV)], check=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "-c",
                str(HERE / "prefect1-constraints.txt"),
                "prefect==1.4.1",
            ],
            check=True,
        )
        ready.touch()
    return python


@pytest.fixture(scope="session")
def prefect1_oracle() -> OracleRun:
    """Runs cases (each an environment) through prefect 1.4.1 and returns what `Secret.get()` gave."""
    python = _ensure_oracle_venv()

    def run(case_environments: list[dict[str, str]]) -> list[dict[str, Any]]:
        completed = subprocess.run(
            [str(python), str(HERE / "v1_oracle.py")],
            input=json.dumps([{"env": env} for env in case_environments]).encode(),
            capture_output=True,
            check=True,
        )
        return pickle.loads(completed.stdout)

    return run
