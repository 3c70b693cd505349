"""Undoing a migrate run from its journal, against the session's Prefect server."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client

from prefect_secretblocks import GitHubToken
from prefect_secretblocks._compat import aload_block, asave_block, core_secret_get
from prefect_secretblocks.migration import (
    MigrationOptions,
    OnConflict,
    Result,
    RollbackAction,
    V1Secret,
    read_journal,
    rollback_migration,
    run_migration,
)

_prefixes = itertools.count()
TOKEN = "ghp_" + "fakeRollbackTk" * 3


@pytest.fixture
def prefix() -> str:
    return f"undo{next(_prefixes)}-"


def secret(name: str, value: Any) -> V1Secret:
    return V1Secret(name=name, value=value, sources=("config.toml",))


async def exists(block_class: Any, name: str) -> bool:
    try:
        await aload_block(block_class, name)
    except ValueError:
        return False
    return True


async def migrate_over_an_old_block(prefix: str, journal: Path) -> None:
    """Creates `PREFIX-github-access-token`, replaces `PREFIX-db-password` (which held "fake-old")."""
    await asave_block(Secret(value="fake-old"), f"{prefix}db-password")
    secrets = [secret("GITHUB_ACCESS_TOKEN", TOKEN), secret("DB_PASSWORD", "fake-new")]
    options = MigrationOptions(prefix=prefix, on_conflict=OnConflict.OVERWRITE)
    _, report = await run_migration(secrets, options, journal_path=journal)
    assert report is not None and not report.problems


async def test_overwrite_keeps_the_previous_value_in_a_before_migrate_block(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-new"
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password-before-migrate")) == "fake-old"


async def test_a_taken_backup_name_gets_the_next_number(prefix: str, tmp_path: Path) -> None:
    await asave_block(Secret(value="fake-unrelated"), f"{prefix}db-password-before-migrate")
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password-before-migrate-2")) == "fake-old"
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password-before-migrate")) == "fake-unrelated"


async def test_the_journal_records_each_written_block_and_its_backup(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    entries = {entry.block_name: entry for entry in read_journal(tmp_path / "journal.jsonl")}
    assert entries[f"{prefix}github-access-token"].action == "created"
    assert entries[f"{prefix}db-password"].backup_name == f"{prefix}db-password-before-migrate"
    assert all(entry.confirmed for entry in entries.values())


async def test_rollback_deletes_created_blocks_and_restores_replaced_ones(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    report = await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    assert [step.action for step in report.steps] == [RollbackAction.DELETE, RollbackAction.RESTORE]
    assert not await exists(GitHubToken, f"{prefix}github-access-token")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"
    assert not await exists(Secret, f"{prefix}db-password-before-migrate")


async def test_a_second_rollback_changes_nothing(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    again = await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    assert {step.action for step in again.steps} == {RollbackAction.ALREADY_UNDONE} and not again.problems
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"


async def test_a_dry_run_rollback_says_what_it_would_do_and_changes_nothing(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    report = await rollback_migration(read_journal(tmp_path / "journal.jsonl"), dry_run=True)
    assert [step.action for step in report.steps] == [RollbackAction.DELETE, RollbackAction.RESTORE]
    assert await exists(GitHubToken, f"{prefix}github-access-token")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-new"


async def test_blocks_changed_after_the_migration_are_reported_not_clobbered(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    await asave_block(GitHubToken(token="ghp_" + "fakeChangedLtr" * 3), f"{prefix}github-access-token", overwrite=True)
    await asave_block(Secret(value="fake-changed"), f"{prefix}db-password", overwrite=True)
    report = await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    assert [step.action for step in report.steps] == [RollbackAction.CHANGED, RollbackAction.CHANGED]
    assert len(report.problems) == 2
    assert (await aload_block(GitHubToken, f"{prefix}github-access-token")).get().startswith("ghp_fakeChanged")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-changed"
    assert await exists(Secret, f"{prefix}db-password-before-migrate")  # the copy stays for the user


async def test_a_run_that_writes_nothing_records_no_journal(prefix: str, tmp_path: Path) -> None:
    secrets = [secret("NOTHING_NEW", "fake-same")]
    await run_migration(secrets, MigrationOptions(prefix=prefix), journal_path=tmp_path / "first.jsonl")
    _, report = await run_migration(secrets, MigrationOptions(prefix=prefix), journal_path=tmp_path / "again.jsonl")
    assert report is not None and report.outcomes[0].result is Result.UNCHANGED and report.journal is None
    assert not (tmp_path / "again.jsonl").exists()


async def test_a_block_whose_save_was_not_confirmed_is_found_by_name(prefix: str, tmp_path: Path) -> None:
    await run_migration([secret("UNCONFIRMED", "fake-v")], MigrationOptions(prefix=prefix), journal_path=tmp_path / "j")
    lines = (tmp_path / "j").read_text().splitlines()
    (tmp_path / "j").write_text("\n".join(line for line in lines if '"created"' not in line) + "\n")  # killed
    report = await rollback_migration(read_journal(tmp_path / "j"))
    assert report.steps[0].action is RollbackAction.DELETE and "stopped before" in report.steps[0].note
    async with get_client() as client:
        assert not [d for d in await client.read_block_documents() if d.name == f"{prefix}unconfirmed"]
