"""The journal file: what one migrate run wrote, readable after a kill, refused when it is not a journal."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

import pytest

from prefect_secretblocks.exceptions import BadJournal
from prefect_secretblocks.migration.journal import JournalWriter, default_journal_path, read_journal


def write_journal(path: Path) -> tuple[str, str]:
    created, replaced, backup = uuid4(), uuid4(), uuid4()
    journal = JournalWriter(path)
    journal.record("creating", "github-token", "github-access-token", secret="GITHUB_ACCESS_TOKEN")
    journal.record("created", "github-token", "github-access-token", block_id=created, updated="2026-01-01T00:00:00")
    journal.record("backing-up", "secret", "db-password", block_id=replaced)
    journal.record("backed-up", "secret", "db-password", backup_name="db-password-before-migrate", backup_id=backup)
    journal.close()
    return str(created), str(backup)


def test_a_journal_merges_each_blocks_events_into_one_entry(tmp_path: Path) -> None:
    created_id, backup_id = write_journal(tmp_path / "journal.jsonl")
    created, replaced = read_journal(tmp_path / "journal.jsonl")
    assert (created.block_type, created.block_name, created.action) == (
        "github-token",
        "github-access-token",
        "created",
    )
    assert str(created.block_id) == created_id and created.confirmed
    assert (replaced.action, str(replaced.backup_id), replaced.backup_name) == (
        "updated",
        backup_id,
        "db-password-before-migrate",
    )
    assert not replaced.confirmed  # no `updated` event: the run stopped before replacing it


def test_every_line_is_json_with_ids_and_names_only(tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.jsonl")
    lines = [json.loads(line) for line in (tmp_path / "journal.jsonl").read_text().splitlines()]
    assert lines[0]["format"] == "prefect-secretblocks-journal" and lines[0]["version"] == 1
    allowed = {"event", "block_type", "block_name", "secret", "block_id", "updated", "backup_name", "backup_id"}
    assert all(set(line) <= allowed for line in lines[1:])


def test_the_line_a_killed_run_was_writing_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    write_journal(path)
    path.write_text(path.read_text() + '{"event": "creating", "block_ty')
    assert len(read_journal(path)) == 2


def test_an_existing_journal_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    write_journal(path)
    with pytest.raises(BadJournal, match="cannot be created"):
        JournalWriter(path)
    assert len(read_journal(path)) == 2


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "is not a prefect-secretblocks journal"),
        ('{"format": "something-else"}\n', 1, "is not a prefect-secretblocks journal"),
        ('{"format": "prefect-secretblocks-journal", "version": 9}\n', 1, "has journal version 9"),
        ('{"format": "prefect-secretblocks-journal", "version": 1}\nnot json\n{}\n', 2, "is not valid JSON"),
        ('{"format": "prefect-secretblocks-journal", "version": 1}\n{"event": "deleted"}\n', 2, "not a journal event"),
    ],
)
def test_a_file_that_is_not_a_usable_journal_names_the_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text(text)
    with pytest.raises(BadJournal) as caught:
        read_journal(path)
    assert caught.value.line == line and reason in caught.value.reason


def test_a_missing_journal_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(BadJournal, match="missing.jsonl: cannot be read"):
        read_journal(tmp_path / "missing.jsonl")


def test_the_default_journal_lives_under_prefect_home() -> None:
    from prefect.settings import PREFECT_HOME

    path = default_journal_path()
    assert path.parent == Path(PREFECT_HOME.value()) / "secretblocks-journals"
    assert path.name.startswith("migrate-") and path.suffix == ".jsonl"
