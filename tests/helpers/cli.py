"""Running `prefect-secretblocks` as a user does: a subprocess, with only the environment a test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Optional


def run_cli(
    *args: str,
    env: Optional[Mapping[str, str]] = None,
    cwd: Optional[Path] = None,
    stderr: Any = subprocess.PIPE,
    timeout: float = 180,
    unset: Collection[str] = (),
) -> subprocess.CompletedProcess[str]:
    """
    `python -m prefect_secretblocks ARGS`, with this process's environment plus `env`, less `unset`.

    1.x `PREFECT__*` variables of the test process are left out, so a test's secrets are only the
    ones it sets.
    """
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("PREFECT__") and key not in unset
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "prefect_secretblocks", *args],
        env=environment,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=timeout,
    )
