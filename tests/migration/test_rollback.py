"""Undoing a migrate run from its journal, against the session's Prefect server."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Sequence
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
from prefect_secretblocks.migration.digest import DigestKey
from prefect_secretblocks.migration.journal import JournalEntry, journal_digest_key
from prefect_secretblocks.migration.targets import SAVED_BLOCK_TYPES
from tests.migration.integration_values import EMAIL_PASSWORD, EMAIL_USERNAME, one_secret_values

_prefixes = itertools.count()
TOKEN = "ghp_" + "fakeRollbackTk" * 3
OTHER_TOKEN = "ghp_" + "fakeSecondRunT" * 3
#: With `one_secret_values()` and the email pair, and `also_core_slack_webhook`: a block of every type saved.
MORE_VALUES = {
    "GITHUB_ACCESS_TOKEN": TOKEN,
    "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/TFAKE0001/BFAKE0001/fakeRollbackHook7Qz",
    "TWITTER_API_CREDENTIALS": {
        key: f"fake-{key}" for key in ("api_key", "api_secret", "access_token", "access_token_secret")
    },
    "AWS_CREDENTIALS": {"ACCESS_KEY": "AKIAFAKEROLLBACK0001", "SECRET_ACCESS_KEY": "fakeAwsRollbackSecret/k8+2"},
    "EMAIL_USERNAME": EMAIL_USERNAME,
    "EMAIL_PASSWORD": EMAIL_PASSWORD,
    "DB": [1, 2.5],
}


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


async def block_names(prefix: str) -> set[str]:
    """The names of the blocks on the server that start with `prefix`."""
    async with get_client() as client:
        return {d.name for d in await client.read_block_documents(include_secrets=False) if d.name.startswith(prefix)}


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


# --- whether a block changed is judged by its data: two runs rolled back in reverse order ---------


async def migrate_twice(prefix: str, tmp_path: Path) -> tuple[Path, Path]:
    """Run 1 creates two blocks; the GitHub token changes in 1.x; run 2 replaces it (keeping the copy)."""
    first, second = tmp_path / "j1.jsonl", tmp_path / "j2.jsonl"
    options = MigrationOptions(prefix=prefix, on_conflict=OnConflict.OVERWRITE)
    _, one = await run_migration(
        [secret("GITHUB_ACCESS_TOKEN", TOKEN), secret("DB_PASSWORD", "fake-one")], options, journal_path=first
    )
    _, two = await run_migration([secret("GITHUB_ACCESS_TOKEN", OTHER_TOKEN)], options, journal_path=second)
    assert one is not None and two is not None and not one.problems and not two.problems
    assert [outcome.result for outcome in two.outcomes] == [Result.UPDATED]
    return first, second


async def test_rolling_back_two_runs_in_reverse_order_undoes_both(prefix: str, tmp_path: Path) -> None:
    first, second = await migrate_twice(prefix, tmp_path)
    later = await rollback_migration(read_journal(second))
    assert [step.action for step in later.steps] == [RollbackAction.RESTORE] and not later.problems
    assert (await aload_block(GitHubToken, f"{prefix}github-access-token")).get() == TOKEN
    earlier = await rollback_migration(read_journal(first))
    assert [step.action for step in earlier.steps] == [RollbackAction.DELETE, RollbackAction.DELETE]
    assert not earlier.problems and all(step.note == "" for step in earlier.steps)
    assert await block_names(prefix) == set()


async def test_a_block_edited_by_hand_between_the_rollbacks_is_left_as_it_is(prefix: str, tmp_path: Path) -> None:
    first, second = await migrate_twice(prefix, tmp_path)
    await rollback_migration(read_journal(second))
    edited = "ghp_" + "fakeEditedByHd" * 3
    await asave_block(GitHubToken(token=edited), f"{prefix}github-access-token", overwrite=True)
    report = await rollback_migration(read_journal(first))
    assert [(step.action, step.note) for step in report.steps] == [
        (RollbackAction.CHANGED, "changed after the migration; left as it is"),
        (RollbackAction.DELETE, ""),
    ]
    assert len(report.problems) == 1
    assert (await aload_block(GitHubToken, f"{prefix}github-access-token")).get() == edited
    assert await block_names(prefix) == {f"{prefix}github-access-token"}


async def test_a_block_saved_again_with_the_runs_value_counts_as_unchanged(prefix: str, tmp_path: Path) -> None:
    await migrate_over_an_old_block(prefix, tmp_path / "journal.jsonl")
    await asave_block(GitHubToken(token=TOKEN), f"{prefix}github-access-token", overwrite=True)  # moves `updated`
    await asave_block(Secret(value="fake-new"), f"{prefix}db-password", overwrite=True)
    report = await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    assert [step.action for step in report.steps] == [RollbackAction.DELETE, RollbackAction.RESTORE]
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"


async def test_without_the_journals_key_rollback_judges_by_update_time_and_says_so(prefix: str, tmp_path: Path) -> None:
    first, second = await migrate_twice(prefix, tmp_path)
    await rollback_migration(read_journal(second))
    another_machine = DigestKey(os.urandom(32))
    report = await rollback_migration(read_journal(first), digest_key=another_machine)
    assert [step.action for step in report.steps] == [RollbackAction.CHANGED, RollbackAction.DELETE]
    assert all("(no digest key for this journal here); judged by its update time" in s.note for s in report.steps)
    assert report.steps[0].note.startswith("changed after the migration; left as it is; data not compared")


async def test_a_journal_written_before_digests_rolls_back_by_update_time(prefix: str, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    await migrate_over_an_old_block(prefix, journal)
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    lines[0].pop("digest_key_id")
    journal.write_text("".join(json.dumps({k: v for k, v in line.items() if k != "digest"}) + "\n" for line in lines))
    report = await rollback_migration(read_journal(journal))
    assert [step.action for step in report.steps] == [RollbackAction.DELETE, RollbackAction.RESTORE]
    assert all("(the journal has no digest of it); judged by its update time" in s.note for s in report.steps)
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"


async def test_the_journaled_digests_are_those_of_the_blocks_read_back(prefix: str, tmp_path: Path) -> None:
    """For every block type a migration saves: created ones (digest of the data sent), replaced ones (read back)."""
    secrets = [secret(name, value) for name, value in {**one_secret_values(), **MORE_VALUES}.items()]
    options = MigrationOptions(prefix=prefix, also_core_slack_webhook=True, on_conflict=OnConflict.OVERWRITE)
    await run_migration(secrets, options, journal_path=tmp_path / "created.jsonl")
    created = read_journal(tmp_path / "created.jsonl")
    assert {entry.block_type for entry in created} == set(SAVED_BLOCK_TYPES)
    assert await digests_read_back(created) == [entry.digest for entry in created]
    await run_migration([secret("DB", {"fake": True})], options, journal_path=tmp_path / "updated.jsonl")
    updated = read_journal(tmp_path / "updated.jsonl")
    assert [entry.action for entry in updated] == ["updated"]
    assert await digests_read_back(updated) == [entry.digest for entry in updated]


async def digests_read_back(entries: Sequence[JournalEntry]) -> list[str]:
    """The digest of each journaled block as the server holds it now (type and data, secrets included)."""
    key = journal_digest_key()
    assert key is not None
    async with get_client() as client:
        documents = [
            await client.read_block_document_by_name(entry.block_name, entry.block_type, include_secrets=True)
            for entry in entries
        ]
    return [key.digest(entry.block_type, document.data) for entry, document in zip(entries, documents)]
