"""`make demo` (examples/demo.py): the bundled 1.x config migrated into the embedded default
Prefect (no PREFECT_API_URL: a temporary local server on PREFECT_HOME), every block loaded back."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Every fake value in examples/v1 carries this mark ("fake-demo", "fakeDEMO", "FAKEDEMO", "fake/demo"),
# and the output's own words (block names like "email-password") do not.
EXAMPLE_VALUE_MARK = re.compile(r"fake\W?demo", re.IGNORECASE)


def run_demo(home: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT")}
    environment.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    return subprocess.run(
        [sys.executable, "examples/demo.py"], cwd=REPO, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.mark.e2e
def test_demo_migrates_the_example_into_the_embedded_prefect_and_loads_every_block_back(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "prefect-home")
    assert first.returncode == 0, first.stderr[-3000:]
    assert (tmp_path / "prefect-home" / "prefect.db").exists()  # the embedded default's database
    for secret, block_type in [
        ("GITHUB_ACCESS_TOKEN", "GitHubToken"),
        ("SLACK_WEBHOOK_URL", "SlackWebhookURL"),
        ("TWITTER_API_CREDENTIALS", "TwitterCredentials"),
        ("AWS_CREDENTIALS", "AwsCredentials"),
        ("DATABASE_URL", "Secret"),
        ("EMAIL_PASSWORD", "Secret"),
    ]:
        assert any(
            secret in line and f"{block_type}.load(" in line and "same value as 1.x" in line
            for line in first.stdout.splitlines()
        ), (secret, first.stdout)
    assert "DIFFERENT" not in first.stdout

    again = run_demo(tmp_path / "prefect-home")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "unchanged" in again.stdout and "created" not in again.stdout
    assert not first.stderr and not again.stderr  # no warnings or tracebacks either
    assert not EXAMPLE_VALUE_MARK.search(first.stdout + first.stderr + again.stdout + again.stderr)
