"""The plan table `migrate` prints: one line per secret at 80 columns for ordinary names, notes as footnotes."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from prefect_secretblocks import cli
from prefect_secretblocks.migration import V1Secret, plan_migration, read_v1_secrets
from tests import canaries

CONFIG = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
SLACK_WEBHOOK_URL = "{canaries.SLACK_URL}"
DB_PASSWORD = ""
API_KEY = ""
PORT = "1,2"
[context.secrets.AWS_CREDENTIALS]
ACCESS_KEY = "{canaries.AWS_ACCESS_KEY}"
SECRET_ACCESS_KEY = "{canaries.AWS_SECRET}"
"""


def printed_at_80_columns(monkeypatch: pytest.MonkeyPatch, secrets: list[V1Secret]) -> list[str]:
    monkeypatch.setattr(cli, "stdout", Console(record=True, width=80))
    cli._print_table(plan_migration(secrets), None, "Dry run, nothing written: ")
    return cli.stdout.export_text().splitlines()


def row_of(lines: list[str], secret: str) -> str:
    [row] = [line for line in lines if line.startswith(f"{secret} ")]
    return row


def test_one_source_is_named_once_above_and_each_secret_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    lines = printed_at_80_columns(monkeypatch, read_v1_secrets(config=config, environ={}, use_environment=False))
    assert lines[0] == f"Secrets from {config}"
    assert max(map(len, lines[1:])) <= 80
    assert row_of(lines, "GITHUB_ACCESS_TOKEN").split() == [
        "GITHUB_ACCESS_TOKEN",
        "github-token",
        "github-access-token",
        "create",
    ]
    assert row_of(lines, "SLACK_WEBHOOK_URL").split()[1:] == ["slack-webhook-url", "slack-webhook-url", "create"]
    assert row_of(lines, "AWS_CREDENTIALS").split()[1:] == ["aws-credentials", "aws-credentials", "create"]


def test_long_notes_are_numbered_footnotes_one_number_per_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    lines = printed_at_80_columns(monkeypatch, read_v1_secrets(config=config, environ={}, use_environment=False))
    assert row_of(lines, "DB_PASSWORD").endswith("create [1]") and row_of(lines, "API_KEY").endswith("create [1]")
    assert row_of(lines, "PORT").endswith("create [2]")
    assert lines[-3:] == [
        "[1] empty in 1.x (a placeholder?)",
        "[2] a tuple in 1.x, saved as a JSON list",
        "Dry run, nothing written: 6 create",
    ]


def test_several_sources_get_a_column_of_short_names(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = [
        V1Secret("GITHUB_ACCESS_TOKEN", canaries.GITHUB_TOKEN, ("/home/someone/.prefect/config.toml",)),
        V1Secret("DB_PASSWORD", "fake-db", ("env PREFECT__CONTEXT__SECRETS__DB_PASSWORD",)),
        V1Secret("PORT", 5432, ("/srv/flows/deploy/agent.env:3",)),
    ]
    lines = printed_at_80_columns(monkeypatch, secrets)
    assert max(map(len, lines)) <= 80
    assert row_of(lines, "GITHUB_ACCESS_TOKEN").split()[:2] == ["GITHUB_ACCESS_TOKEN", "config.toml"]
    assert row_of(lines, "DB_PASSWORD").split()[:2] == ["DB_PASSWORD", "env"]
    assert row_of(lines, "PORT").split()[:2] == ["PORT", "agent.env:3"]


def test_json_keeps_the_full_sources_and_notes() -> None:
    document = plan_migration([V1Secret("PORT", (1, 2), ("/srv/flows/deploy/agent.env:3",))]).to_dict()
    [entry] = document["plan"]
    assert (entry["source"], entry["note"]) == ("/srv/flows/deploy/agent.env:3", "a tuple in 1.x, saved as a JSON list")
