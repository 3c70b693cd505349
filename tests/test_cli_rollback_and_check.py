"""`migrate --check`, `migrate --journal` and `rollback` as a user runs them: exit codes, output, no values."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
from pathlib import Path

import pytest
from prefect.blocks.system import Secret
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks._compat import asave_block
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli
from tests.helpers.prefect_api import block_document_ids
from tests.test_cli import CONFIG, migrate

_prefixes = itertools.count()


@pytest.fixture
def prefix() -> str:
    return f"gate{next(_prefixes)}-"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def rollback(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {"PREFECT_API_URL": PREFECT_API_URL.value(), "HOME": str(tmp_path), "COLUMNS": "200"}
    result = run_cli("rollback", *args, env=environment, cwd=tmp_path)
    assert_no_leak(result.stdout + result.stderr, f"the output of rollback {' '.join(args)}")
    assert "Traceback" not in result.stderr
    return result


def test_check_exits_1_while_blocks_are_missing_and_writes_nothing(tmp_path: Path, config: Path, prefix: str) -> None:
    before = block_document_ids()
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--check")
    assert result.returncode == 1
    assert "Check, nothing written: 3 create" in result.stdout
    assert block_document_ids() == before


def test_check_exits_0_once_every_block_is_unchanged(tmp_path: Path, config: Path, prefix: str) -> None:
    assert migrate(tmp_path, "--config", str(config), "--prefix", prefix).returncode == 0
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--check")
    assert result.returncode == 0, result.stdout
    assert "3 unchanged" in result.stdout


def test_check_exits_1_when_a_saved_value_differs(tmp_path: Path, config: Path, prefix: str) -> None:
    assert migrate(tmp_path, "--config", str(config), "--prefix", prefix).returncode == 0
    config.write_text(CONFIG.replace('PORT = "5432"', 'PORT = "5433"'))
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--check", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert set(document) == {"plan", "summary"}  # as --dry-run prints it
    assert document["summary"]["unchanged"] == 2 and document["summary"]["skip"] == 1


def test_migrate_names_its_journal_and_rollback_undoes_the_run(tmp_path: Path, config: Path, prefix: str) -> None:
    before = block_document_ids()
    journal = tmp_path / "run.jsonl"
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--journal", str(journal))
    assert result.returncode == 0 and f"rollback {journal}" in result.stdout
    assert_no_leak(journal.read_text(), "the journal of migrate")

    undone = rollback(tmp_path, str(journal))
    assert undone.returncode == 0, undone.stderr
    assert "3 delete" in undone.stdout
    assert block_document_ids() == before


def test_rollback_dry_run_and_a_second_rollback_change_nothing(tmp_path: Path, config: Path, prefix: str) -> None:
    journal = tmp_path / "run.jsonl"
    migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--journal", str(journal))
    after_migrate = block_document_ids()
    planned = rollback(tmp_path, str(journal), "--dry-run", "--format", "json")
    assert planned.returncode == 0 and json.loads(planned.stdout)["summary"]["delete"] == 3
    assert block_document_ids() == after_migrate
    assert rollback(tmp_path, str(journal)).returncode == 0
    second = rollback(tmp_path, str(journal))
    assert second.returncode == 0 and "3 already-undone" in second.stdout


@pytest.mark.parametrize("content", [None, "not a journal\n", '{"format": "prefect-secretblocks-journal"}\n'])
def test_a_bad_journal_is_one_line_and_exit_2(tmp_path: Path, content: str | None) -> None:
    journal = tmp_path / "journal.jsonl"
    if content is not None:
        journal.write_text(content)
    result = rollback(tmp_path, str(journal))
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {journal}") and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_a_journal_that_exists_already_is_bad_input_and_nothing_is_written(
    tmp_path: Path, config: Path, prefix: str
) -> None:
    journal = tmp_path / "taken.jsonl"
    journal.write_text("an earlier run's journal\n")
    before = block_document_ids()
    result = migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--journal", str(journal))
    assert result.returncode == 2 and "cannot be created" in result.stderr
    assert block_document_ids() == before
    assert journal.read_text() == "an earlier run's journal\n"


def migrate_twice(tmp_path: Path, config: Path, prefix: str) -> tuple[Path, Path]:
    """Run 1 creates three blocks; PORT changes in the 1.x config; run 2 replaces its block, keeping the copy."""
    first, second = tmp_path / "j1.jsonl", tmp_path / "j2.jsonl"
    assert migrate(tmp_path, "--config", str(config), "--prefix", prefix, "--journal", str(first)).returncode == 0
    config.write_text(CONFIG.replace('PORT = "5432"', 'PORT = "5433"'))
    overwrite = ("--on-conflict", "overwrite", "--journal", str(second))
    replaced = migrate(tmp_path, "--config", str(config), "--prefix", prefix, *overwrite)
    assert replaced.returncode == 0 and "1 updated" in replaced.stdout, replaced.stdout
    return first, second


def test_two_runs_rolled_back_in_reverse_order_leave_nothing(tmp_path: Path, config: Path, prefix: str) -> None:
    before = block_document_ids()
    first, second = migrate_twice(tmp_path, config, prefix)
    later = rollback(tmp_path, str(second))
    assert later.returncode == 0 and "1 restore" in later.stdout, later.stdout
    earlier = rollback(tmp_path, str(first))
    assert earlier.returncode == 0 and "3 delete" in earlier.stdout, earlier.stdout
    assert block_document_ids() == before


def test_a_block_edited_between_the_rollbacks_is_left_as_it_is_and_exits_1(
    tmp_path: Path, config: Path, prefix: str
) -> None:
    before = block_document_ids()
    first, second = migrate_twice(tmp_path, config, prefix)
    assert rollback(tmp_path, str(second)).returncode == 0
    asyncio.run(asave_block(Secret(value="5434"), f"{prefix}port", overwrite=True))
    earlier = rollback(tmp_path, str(first), "--format", "json")
    assert earlier.returncode == 1
    steps = {step["block_name"]: step for step in json.loads(earlier.stdout)["steps"]}
    assert steps[f"{prefix}port"]["action"] == "changed"
    assert steps[f"{prefix}port"]["note"] == "changed after the migration; left as it is"
    assert json.loads(earlier.stdout)["summary"]["delete"] == 2
    assert len(block_document_ids() - before) == 1  # the edited block, left as it is
