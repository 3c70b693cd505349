"""The repository's .pre-commit-hooks.yaml, run by the real `pre-commit try-repo` on a user's repository.

pre-commit builds the hook's own virtualenv (`pip install .` of this checkout), so the first
run takes a minute or two: marked e2e. Its cache lives in the test's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import canaries
from tests.canaries import assert_no_leak

REPO = Path(__file__).resolve().parents[2]
HOOK = "prefect-1x-secret-values"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def hook_repository(tmp_path: Path) -> Path:
    """This checkout as it is now (committed or not, git-ignored files left out), as a git repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    copy = tmp_path / "hook-repo"
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    git("init", "-q", cwd=copy)
    git("add", "-A", cwd=copy)
    git("commit", "-q", "-m", "hook repository", cwd=copy)
    return copy


def try_repo(hook_repo: Path, project: Path, cache: Path, *files: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT__", "PRE_COMMIT"))}
    environment.update(
        PRE_COMMIT_HOME=str(cache),
        PIP_CONSTRAINT=str(REPO / "constraints.txt"),  # the hook's own venv gets the pinned versions
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK, "--files", *files],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_the_first_hook_is_the_gate_on_literal_values_over_every_text_file() -> None:
    first = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())[0]
    assert first["id"] == HOOK and "--fail-on exposed" in first["entry"] and first["types"] == ["text"]


@pytest.mark.e2e
@pytest.mark.prefect3_only(
    reason="the hook installs into its own virtualenv whatever Prefect the suite runs on; a second run only adds CI time"
)
def test_the_hook_fails_on_a_staged_literal_value_and_passes_once_it_is_gone(tmp_path: Path) -> None:
    hook_repo = hook_repository(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / "agent.env").write_text(f"PREFECT__CONTEXT__SECRETS__WAREHOUSE_PASSWORD={canaries.GENERIC}\n")
    (project / "Makefile").write_text("agent:\n\tprefect agent local start --env PREFECT__CONTEXT__SECRETS__X=$(X)\n")
    git("add", "agent.env", "Makefile", cwd=project)

    failed = try_repo(hook_repo, project, tmp_path / "pre-commit-cache", "agent.env", "Makefile")
    assert failed.returncode == 1, failed.stdout[-3000:] + failed.stderr[-3000:]
    assert "agent.env:1:1: exposed PREFECT__CONTEXT__SECRETS__WAREHOUSE_PASSWORD" in failed.stdout
    assert_no_leak(failed.stdout + failed.stderr, "the pre-commit hook's output")

    (project / "agent.env").write_text("PREFECT__CONTEXT__SECRETS__WAREHOUSE_PASSWORD=${WAREHOUSE_PASSWORD}\n")
    git("add", "agent.env", cwd=project)
    passed = try_repo(hook_repo, project, tmp_path / "pre-commit-cache", "agent.env", "Makefile")
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr[-3000:]
