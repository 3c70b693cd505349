"""`scan` and `migrate` on one 1.x tree and one config name the same block for every secret.

Where `migrate` cannot tell a block type from the value (a GitLab token under a name of the team's
choosing), `scan` says which `--map` makes it; with those flags the two agree everywhere.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from prefect.settings import PREFECT_API_URL

from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli

ETL = """\
from prefect import Flow, task
from prefect.client import Secret
from prefect.storage import GitHub
from prefect.tasks.notifications import EmailTask, SlackTask
from prefect.tasks.secrets import PrefectSecret

DB_SECRET = "DB_PASSWORD"


@task
def connect():
    return Secret(DB_SECRET).get()


@task
def s3_keys():
    return Secret("AWS_ACCESS_KEY_ID").get(), Secret("AWS_SECRET_ACCESS_KEY").get()


storage = GitHub(repo="org/flows", path="flows/etl.py", access_token_secret="GITHUB")
with Flow("etl", storage=storage) as flow:
    token = PrefectSecret("GITHUB")
    SlackTask(webhook_secret="ALERTS_HOOK")
    EmailTask(subject="done")
"""
REPORTS = """\
import prefect
from prefect.storage import GitLab

storage = GitLab(repo="org/reports", path="reports.py", access_token_secret="GL_TOKEN")
smtp = prefect.client.Secret("SMTP_PASSWORD").get()
"""
CONFIG = f"""
[context.secrets]
GITHUB = "{canaries.GITHUB_TOKEN}"
ALERTS_HOOK = "{canaries.SLACK_URL}"
DB_PASSWORD = "{canaries.GENERIC}"
AWS_ACCESS_KEY_ID = "{canaries.AWS_ACCESS_KEY}"
AWS_SECRET_ACCESS_KEY = "{canaries.AWS_SECRET}"
EMAIL_USERNAME = "fake-sender@example.com"
EMAIL_PASSWORD = ""
GL_TOKEN = "glpat-fakeGitLabToken123"
SMTP_PASSWORD = ""
"""


def write_tree(root: Path) -> Path:
    (root / "flows").mkdir(parents=True)
    (root / "flows" / "etl.py").write_text(ETL)
    (root / "flows" / "reports.py").write_text(REPORTS)
    (root / "config.toml").write_text(CONFIG)
    return root / "config.toml"


def cli_json(tmp_path: Path, *args: str) -> dict[str, Any]:
    environment = {"PREFECT_API_URL": PREFECT_API_URL.value(), "HOME": str(tmp_path)}
    result = run_cli(*args, "--format", "json", env=environment, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_no_leak(result.stdout + result.stderr, f"the output of {args[0]}")
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def scanned_blocks(tmp_path: Path, config: Path) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """`{secret: (block type, block name)}` from scan (one per secret, however often it is read), and the --map it asks for."""
    findings = cli_json(tmp_path, "scan", "flows", "--config", str(config))["findings"]
    named = {(f["secret"], f["block_type"], f["block_name"]) for f in findings if f["block_name"]}
    blocks = {secret: (block_type, block_name) for secret, block_type, block_name in named}
    assert len(blocks) == len(named), f"a secret named with two blocks: {sorted(named)}"
    maps = sorted({flag for f in findings for flag in re.findall(r"--map (\S+=\S+)", f["note"])})
    return blocks, maps


def migrated_blocks(tmp_path: Path, config: Path, *maps: str) -> dict[str, tuple[str, str]]:
    """`{1.x secret: (block type, block name)}` from migrate's plan (a shared block under each of its secrets)."""
    flags = [argument for flag in maps for argument in ("--map", flag)]
    plan = cli_json(tmp_path, "migrate", "--config", str(config), "--no-env", "--dry-run", *flags)["plan"]
    return {name: (e["block_type"], e["block_name"]) for e in plan for name in e["secret"].split(" + ")}


def test_scan_and_migrate_name_the_same_block_for_every_secret(tmp_path: Path) -> None:
    config = write_tree(tmp_path)
    scanned, maps = scanned_blocks(tmp_path, config)
    assert scanned == {
        "GITHUB": ("github-token", "github"),
        "ALERTS_HOOK": ("slack-webhook-url", "alerts-hook"),
        "DB_PASSWORD": ("secret", "db-password"),
        "AWS_ACCESS_KEY_ID": ("aws-credentials", "aws-credentials"),
        "AWS_SECRET_ACCESS_KEY": ("aws-credentials", "aws-credentials"),
        "EMAIL_USERNAME": ("email-server-credentials", "email-server-credentials"),
        "EMAIL_PASSWORD": ("email-server-credentials", "email-server-credentials"),
        "GL_TOKEN": ("gitlab-credentials", "gl-token"),
        "SMTP_PASSWORD": ("secret", "smtp-password"),
    }
    assert maps == ["GL_TOKEN=gitlab-credentials"]  # the one type the value's shape cannot tell migrate
    unmapped = migrated_blocks(tmp_path, config)
    assert {name for name in scanned if unmapped[name] != scanned[name]} == {"GL_TOKEN"}
    assert {name: migrated_blocks(tmp_path, config, *maps)[name] for name in scanned} == scanned
