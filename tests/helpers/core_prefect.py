"""A venv with the installed Prefect and nothing of this package: a server there resolves only
Prefect's own block classes, as Prefect Cloud does for this package's. Created once, cached.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import prefect

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("PREFECT_CORE_VENV_CACHE", Path.home() / ".cache" / "prefect-secretblocks"))


def leg_constraints(version: str = prefect.__version__) -> Path:
    """The constraints file of the nox leg that pins this Prefect release (noxfile.py's LEGS)."""
    for path in sorted(REPO.glob("constraints*.txt")):
        if f"prefect=={version}" in path.read_text().splitlines():
            return path
    raise LookupError(f"no constraints*.txt pins prefect=={version}")


def core_prefect_bin(version: str = prefect.__version__) -> Path:
    """The `bin` directory of a venv holding `prefect==version` and its pinned dependencies only."""
    constraints = leg_constraints(version)
    digest = hashlib.sha256(constraints.read_bytes()).hexdigest()[:12]
    venv = CACHE / f"prefect-{version}-core-{digest}"
    ready = venv / ".ready"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be creating it
        if not ready.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
            install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c", str(constraints)]
            subprocess.run([*install, f"prefect=={version}"], check=True, capture_output=True, timeout=900)
            ready.touch()
    return venv / "bin"
