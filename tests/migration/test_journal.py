"""The journal file: what one migrate run wrote, readable after a kill, refused when it is not a journal.

Its digests of the data written are keyed by a file under PREFECT_HOME (a temporary directory in tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import uuid4

import pytest

from prefect_secretblocks.exceptions import BadJournal
from prefect_secretblocks.migration import journal as journal_module
from prefect_secretblocks.migration.digest import DigestKey, load_or_create_digest_key
from prefect_secretblocks.migration.journal import (
    JournalWriter,
    default_journal_path,
    digest_key_path,
    journal_digest_key,
    read_journal,
)

WRITTEN = {"token": "ghp_" + "fakeJournalTok" * 3}


def write_journal(path: Path) -> tuple[str, str]:
    created, replaced, backup = uuid4(), uuid4(), uuid4()
    journal = JournalWriter(path)
    journal.record("creating", "github-token", "github-access-token", secret="GITHUB_ACCESS_TOKEN")
    journal.record(
        "created",
        "github-token",
        "github-access-token",
        written=WRITTEN,
        block_id=created,
        updated="2026-01-01T00:00:00",
    )
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
    ids_and_names = {"event", "block_type", "block_name", "secret", "block_id", "backup_name", "backup_id"}
    assert all(set(line) <= {*ids_and_names, "updated", "digest"} for line in lines[1:])


def test_the_data_written_is_recorded_as_a_keyed_digest_only(tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.jsonl")
    text = (tmp_path / "journal.jsonl").read_text()
    key = load_or_create_digest_key(digest_key_path())
    created, _ = read_journal(tmp_path / "journal.jsonl")
    assert created.digest == key.digest("github-token", WRITTEN) and created.digest_key_id == key.key_id
    assert json.loads(text.splitlines()[0])["digest_key_id"] == key.key_id
    assert WRITTEN["token"] not in text and key.secret.hex() not in text


def test_a_digest_cannot_be_checked_without_the_key() -> None:
    plain = hashlib.sha256(json.dumps({"block_type": "secret", "data": WRITTEN}, sort_keys=True).encode()).hexdigest()
    one, other = DigestKey(os.urandom(32)), DigestKey(os.urandom(32))
    assert len({plain, one.digest("secret", WRITTEN), other.digest("secret", WRITTEN)}) == 3
    assert one.key_id != other.key_id and one.secret.hex() not in repr(one)


def test_the_digest_covers_the_block_type_and_every_data_value() -> None:
    key = DigestKey(os.urandom(32))
    digests = {
        key.digest("github-token", {"token": "fake-a"}),
        key.digest("secret", {"token": "fake-a"}),
        key.digest("github-token", {"token": "fake-b"}),
        key.digest("github-token", {"token": "fake-a", "url": None}),
    }
    assert len(digests) == 4
    assert key.digest("secret", {"a": 1, "b": 2}) == key.digest("secret", {"b": 2, "a": 1})


def test_a_journal_written_before_digests_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    header = {"format": "prefect-secretblocks-journal", "version": 1, "started": "2026-01-01T00:00:00+00:00"}
    event = {"event": "created", "block_type": "secret", "block_name": "db-password", "updated": "2026-01-01T00:00:01"}
    path.write_text(json.dumps(header) + "\n" + json.dumps(event) + "\n")
    [entry] = read_journal(path)
    assert entry.confirmed and (entry.digest, entry.digest_key_id) == (None, None)


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


def test_the_digest_key_is_made_once_under_prefect_home_readable_by_its_owner_only(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_HOME

    JournalWriter(tmp_path / "journal.jsonl").close()
    path = digest_key_path()
    assert path == Path(PREFECT_HOME.value()) / "secretblocks-journals" / ".digest-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_text()
    JournalWriter(tmp_path / "again.jsonl").close()
    assert path.read_text() == before and journal_digest_key() == load_or_create_digest_key(path)


def test_concurrent_first_uses_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "journals" / ".digest-key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: load_or_create_digest_key(path), range(32)))
    assert len({key.secret for key in keys}) == 1
    assert [p.name for p in path.parent.iterdir()] == [".digest-key"]  # no temporary file left behind


def test_an_unusable_digest_key_stops_the_journal_before_it_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_path = tmp_path / ".digest-key"
    key_path.write_text("not a key\n")
    monkeypatch.setattr(journal_module, "digest_key_path", lambda: key_path)
    with pytest.raises(BadJournal, match="does not hold a 32-byte key"):
        JournalWriter(tmp_path / "journal.jsonl")
    assert not (tmp_path / "journal.jsonl").exists()
    assert journal_digest_key() is None  # rollback then judges by update times
