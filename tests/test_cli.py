"""`prefect-secretblocks migrate` end to end: output formats, exit codes, flags, and no values shown."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest
from prefect.blocks.system import Secret
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli
from tests.helpers.prefect_api import block_document_ids

CONFIG = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
DB_PASSWORD = "{canaries.GENERIC}"
PORT = "5432"
"""
_prefixes = itertools.count()


@pytest.fixture
def prefix() -> str:
    return f"cli{next(_prefixes)}-"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def migrate(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "HOME": str(tmp_path),
        "COLUMNS": "200",  # wide enough that rich does not fold names inside the table
        **(env or {}),
    }
    result = run_cli("migrate", *args, env=environment)
    assert_no_leak(result.stdout + result.stderr, f"the output of migrate {' '.join(args)}")
    assert "Traceback" not in result.stderr
    return result


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path, config: Path, prefix: str) -> None:
    before = block_document_ids()
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"{prefix}github-access-token" in result.stdout and "create" in result.stdout
    assert "Dry run, nothing written: 3 create" in result.stdout
    assert block_document_ids() == before


def test_json_dry_run_prints_one_object_with_the_plan_and_summary(tmp_path: Path, config: Path, prefix: str) -> None:
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--dry-run", "--format", "json")
    document = json.loads(result.stdout)
    assert set(document) == {"plan", "summary"}
    assert {tuple(sorted(entry)) for entry in document["plan"]} == {
        ("action", "block_name", "block_type", "note", "secret", "source")
    }
    assert document["summary"]["create"] == 3
    assert {entry["block_type"] for entry in document["plan"]} == {"github-token", "secret"}


def test_a_real_run_saves_and_a_re_run_reports_unchanged(tmp_path: Path, config: Path, prefix: str) -> None:
    first = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["results"]["created"] == 3
    second = migrate(tmp_path, "--config", str(config), "--prefix", prefix)
    assert second.returncode == 0 and "3 unchanged" in second.stdout
    assert GitHubToken.load(f"{prefix}github-access-token").get() == canaries.GITHUB_TOKEN


def test_conflict_with_fail_exits_1_lists_the_secret_and_writes_nothing(
    tmp_path: Path, config: Path, prefix: str
) -> None:
    Secret(value="fake-other").save(f"{prefix}db-password")
    before = block_document_ids()
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--on-conflict", "fail")
    assert result.returncode == 1
    assert "DB_PASSWORD" in result.stdout and "conflict" in result.stdout and "not-written" in result.stdout
    assert block_document_ids() == before


def test_env_file_only_exclude_name_and_no_env(tmp_path: Path, prefix: str) -> None:
    env_file = tmp_path / "agent.env"
    env_file.write_text(f"PREFECT__CONTEXT__SECRETS__FROM_FILE={canaries.GENERIC}\nexport HOOK_PART=fake-part\n")
    config = tmp_path / "config.toml"
    config.write_text('[context.secrets]\nKEEP = "x-$HOOK_PART"\nDROP = "fake"\n')
    result = migrate(
        tmp_path,
        *("--config", str(config), "--env-file", str(env_file), "--no-env", "--prefix", prefix),
        *("--exclude", "DROP", "--name", f"KEEP={prefix}renamed", "--format", "json"),
        env={"PREFECT__CONTEXT__SECRETS__FROM_PROCESS": "fake-ignored"},
    )
    plan = {entry["secret"]: entry for entry in json.loads(result.stdout)["plan"]}
    assert set(plan) == {"FROM_FILE", "KEEP"}
    assert plan["KEEP"]["block_name"] == f"{prefix}renamed"
    assert plan["FROM_FILE"]["source"] == f"{env_file}:1"
    assert Secret.load(f"{prefix}renamed").get() == "x-fake-part"

    only = migrate(
        tmp_path, "--config", str(config), "--only", "DROP", "--prefix", prefix, "--dry-run", "--format", "json"
    )
    assert [entry["secret"] for entry in json.loads(only.stdout)["plan"]] == ["DROP"]


def test_map_chooses_the_block_type(tmp_path: Path, config: Path, prefix: str) -> None:
    result = migrate(
        tmp_path,
        "--config",
        str(config),
        "--map",
        "GITHUB_ACCESS_TOKEN=secret",
        "--prefix",
        prefix,
        "--dry-run",
        "--format",
        "json",
    )
    plan = {entry["secret"]: entry for entry in json.loads(result.stdout)["plan"]}
    assert plan["GITHUB_ACCESS_TOKEN"]["block_type"] == "secret"


def test_no_secrets_found_is_bad_input(tmp_path: Path) -> None:
    result = migrate(tmp_path)  # HOME is empty: no ~/.prefect/config.toml, no PREFECT__ variables
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: no Prefect 1.x secrets found in the config files or the environment"


def test_unreachable_prefect_exits_1_with_one_line(tmp_path: Path, config: Path) -> None:
    result = migrate(tmp_path, "--config", str(config), env={"PREFECT_API_URL": "http://127.0.0.1:9/api"})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")


def test_skip_empty_leaves_placeholders_out_of_the_plan(tmp_path: Path, prefix: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[context.secrets]\nSMTP_PASSWORD = ""\nDB_PASSWORD = "fake-db"\n')
    args = ("--config", str(config), "--prefix", prefix, "--dry-run", "--format", "json")
    planned = {entry["secret"]: entry["note"] for entry in json.loads(migrate(tmp_path, *args).stdout)["plan"]}
    assert planned == {"SMTP_PASSWORD": "empty in 1.x (a placeholder?)", "DB_PASSWORD": ""}
    skipped = json.loads(migrate(tmp_path, *args, "--skip-empty").stdout)["plan"]
    assert [entry["secret"] for entry in skipped] == ["DB_PASSWORD"]
