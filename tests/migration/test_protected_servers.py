"""`migrate` against servers that protect their API: an auth string, CSRF protection.

Saves go through Prefect's own client, so what it does on every request (the `Authorization`
header, the CSRF token and its refresh) holds for the migration too. A wrong auth string is one
clear line and exit 1, with nothing written and no value shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import canaries
from tests.canaries import assert_no_leak
from tests.e2e.stack import prefect_server
from tests.helpers.cli import run_cli

pytestmark = pytest.mark.e2e

AUTH_STRING = "admin:canary-generic-pw-8d7f6g5h"
CONFIG = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
DB_PASSWORD = "{canaries.GENERIC}"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def auth_server(tmp_path: Path) -> Iterator[str]:
    with prefect_server(
        f"sqlite+aiosqlite:///{tmp_path}/server.db", tmp_path / "server-home", make_dir(tmp_path / "logs"),
        PREFECT_SERVER_API_AUTH_STRING=AUTH_STRING,
    ) as api_url:  # fmt: skip
        yield api_url


@pytest.fixture
def csrf_server(tmp_path: Path) -> Iterator[str]:
    with prefect_server(
        f"sqlite+aiosqlite:///{tmp_path}/server.db", tmp_path / "server-home", make_dir(tmp_path / "logs"),
        PREFECT_SERVER_CSRF_PROTECTION_ENABLED="true",
    ) as api_url:  # fmt: skip
        yield api_url


def make_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def migrate(config: Path, tmp_path: Path, api_url: str, **env: str) -> tuple[int, str, str]:
    environment = {"PREFECT_API_URL": api_url, "PREFECT_HOME": str(tmp_path / "client-home"), **env}
    result = run_cli("migrate", "--config", str(config), "--no-env", "--format", "json", env=environment)
    assert_no_leak(result.stdout + result.stderr, "migrate's output")
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def block_names(api_url: str, auth: tuple[str, str] | None = None) -> set[str]:
    response = httpx.post(f"{api_url}/block_documents/filter", json={}, auth=auth, timeout=30)
    response.raise_for_status()
    return {document["name"] for document in response.json()}


@pytest.mark.prefect3_only(reason="PREFECT_SERVER_API_AUTH_STRING is a Prefect 3 setting")
def test_migrate_completes_against_a_server_with_an_auth_string(config: Path, tmp_path: Path, auth_server: str) -> None:
    code, stdout, stderr = migrate(config, tmp_path, auth_server, PREFECT_API_AUTH_STRING=AUTH_STRING)
    assert code == 0, stderr
    assert json.loads(stdout)["results"]["created"] == 2
    assert block_names(auth_server, auth=tuple(AUTH_STRING.split(":"))) >= {"github-access-token", "db-password"}


@pytest.mark.prefect3_only(reason="PREFECT_SERVER_API_AUTH_STRING is a Prefect 3 setting")
def test_a_wrong_auth_string_is_one_line_exit_1_and_nothing_written(
    config: Path, tmp_path: Path, auth_server: str
) -> None:
    code, stdout, stderr = migrate(config, tmp_path, auth_server, PREFECT_API_AUTH_STRING="admin:wrong")
    assert code == 1
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "401" in lines[0] and "auth" in lines[0].lower(), stderr
    assert not block_names(auth_server, auth=tuple(AUTH_STRING.split(":")))


def test_migrate_completes_against_a_server_with_csrf_protection(
    config: Path, tmp_path: Path, csrf_server: str
) -> None:
    code, stdout, stderr = migrate(config, tmp_path, csrf_server)
    assert code == 0, stderr
    assert json.loads(stdout)["results"]["created"] == 2
    code, stdout, _ = migrate(config, tmp_path, csrf_server)
    assert code == 0 and json.loads(stdout)["results"]["unchanged"] == 2
