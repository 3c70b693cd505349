"""The journal of a migration: which blocks one `migrate` run created or replaced, never a value.

A journal is a JSON Lines file: a header line, then one event per line, appended and flushed as
each save happens, so a run killed half-way leaves every event up to the kill (a torn last line
is ignored when reading). `rollback.py` reads it to undo the run.

Events, per block (type slug and name):

- `creating` before a block is created, `created` after, with its id, `updated` timestamp and
  `digest`;
- `backing-up` before an existing block is replaced, `backed-up` once its previous data is saved
  as the block `backup_name` (same type, so the copy stays encrypted in Prefect), `updated`
  after it is replaced, with the `updated` timestamp the server gave it and the `digest`.

The `digest` is what rollback compares to tell whether the block still holds what the run wrote:
a keyed HMAC of the block's type and data (`digest.py`), value-free without the key, which stays
in `$PREFECT_HOME/secretblocks-journals/.digest-key` and is named in the header by `digest_key_id`.
Where it cannot compare (a journal written before digests, or a machine without the key), rollback
compares the `updated` timestamp instead: Prefect moves it on every write of the document, so a
block put back to the run's value by someone (a later run's rollback) then counts as changed.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Optional
from uuid import UUID

from prefect_secretblocks.exceptions import BadJournal
from prefect_secretblocks.migration.digest import DigestKey, load_digest_key, load_or_create_digest_key

JOURNAL_FORMAT = "prefect-secretblocks-journal"
JOURNAL_VERSION = 1
_EVENTS = ("creating", "created", "backing-up", "backed-up", "updated")


def timestamp(moment: Any) -> Optional[str]:
    """A document's `updated` time as ISO text in UTC, the same whichever datetime type Prefect uses."""
    if moment is None:
        return None
    return datetime.datetime.fromisoformat(moment.isoformat()).astimezone(datetime.timezone.utc).isoformat()


def journals_directory() -> Path:
    """`$PREFECT_HOME/secretblocks-journals`: next to the Prefect profile, never in a project checkout."""
    from prefect.settings import PREFECT_HOME

    return Path(PREFECT_HOME.value()) / "secretblocks-journals"


def default_journal_path(now: Optional[datetime.datetime] = None) -> Path:
    """
    `$PREFECT_HOME/secretblocks-journals/migrate-<UTC time>.jsonl`: next to the Prefect profile
    the run used, never in a project checkout where it could be committed.
    """
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    return journals_directory() / f"migrate-{moment.strftime('%Y%m%dT%H%M%S%fZ')}.jsonl"


def digest_key_path() -> Path:
    """`$PREFECT_HOME/secretblocks-journals/.digest-key`: the key of every journal's digests, whatever its path."""
    return journals_directory() / ".digest-key"


def journal_digest_key() -> Optional[DigestKey]:
    """The digest key of this machine's journals, for rollback; None when there is none or it is unusable."""
    try:
        return load_digest_key(digest_key_path())
    except BadJournal:
        return None  # rollback then compares `updated` timestamps, as for a journal without digests


@dataclass(frozen=True)
class JournalEntry:
    """What one run did to one block, merged from its events."""

    block_type: str
    block_name: str
    action: str  # "created" or "updated"
    secret: str = ""
    block_id: Optional[UUID] = None
    updated: Optional[str] = None  # the document's `updated` right after the save; None: not confirmed
    digest: Optional[str] = None  # keyed digest of (type, data) right after the save; None: not recorded
    digest_key_id: Optional[str] = None  # which key made `digest` (`DigestKey.key_id`)
    backup_name: Optional[str] = None
    backup_id: Optional[UUID] = None

    @property
    def confirmed(self) -> bool:
        """Whether the save was seen to complete (a killed run may leave only its intent)."""
        return self.updated is not None


class JournalWriter:
    """Appends events to a new journal file, each flushed before the write it announces."""

    def __init__(self, path: Path, digest_key: Optional[DigestKey] = None) -> None:
        """`digest_key`: what digests the saved data; by default this machine's (`digest_key_path()`), made on first use."""
        self.path = path
        self.digest_key = digest_key or load_or_create_digest_key(digest_key_path())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = open(path, "x", encoding="utf-8")  # never overwrite an earlier run's journal
        except OSError as exc:
            raise BadJournal(path=str(path), line=0, reason=f"cannot be created ({exc.strerror or exc})") from None
        started = datetime.datetime.now(datetime.timezone.utc).isoformat()
        key_id = self.digest_key.key_id
        self._write({"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION, "started": started, "digest_key_id": key_id})

    def record(
        self, event: str, block_type: str, block_name: str, written: Optional[Mapping[str, Any]] = None, **fields: Any
    ) -> None:
        """
        One event about one block; ids and timestamps only (`fields` must never hold a value).

        `written`, the block's data right after the save (secrets included), is recorded only as
        its keyed `digest`.
        """
        assert event in _EVENTS
        if written is not None:
            fields["digest"] = self.digest_key.digest(block_type, written)
        values = {key: str(value) for key, value in fields.items() if value is not None}
        self._write({"event": event, "block_type": block_type, "block_name": block_name, **values})

    def close(self) -> None:
        self._file.close()

    def _write(self, line: dict[str, Any]) -> None:
        # Flushed, so a killed process loses nothing; not fsynced: 2 fsyncs per block would
        # stall the saves, and a journal is about undoing a run, not surviving a power cut.
        self._file.write(json.dumps(line, sort_keys=True) + "\n")
        self._file.flush()


def read_journal(path: Path) -> tuple[JournalEntry, ...]:
    """
    The blocks a journal says its run created or replaced, in the order it first touched them.

    Raises:
        BadJournal: The file cannot be read, or is not a journal of this tool.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"cannot be read ({getattr(exc, 'strerror', '') or exc})"
        raise BadJournal(path=str(path), line=0, reason=reason) from None
    header = _parse_line(path, lines, 0) if lines else None
    if not header or header.get("format") != JOURNAL_FORMAT:
        raise BadJournal(path=str(path), line=1, reason="is not a prefect-secretblocks journal")
    if header.get("version") != JOURNAL_VERSION:
        raise BadJournal(path=str(path), line=1, reason=f"has journal version {header.get('version')!r}, expected 1")
    events = (_parse_line(path, lines, index) for index in range(1, len(lines)))
    key_id = header.get("digest_key_id")  # absent from journals written before digests
    return _merge(path, (event for event in events if event is not None), key_id if isinstance(key_id, str) else None)


def _parse_line(path: Path, lines: list[str], index: int) -> Optional[dict[str, Any]]:
    try:
        parsed = json.loads(lines[index])
    except ValueError:
        if index == len(lines) - 1:
            return None  # the line a killed run was writing
        raise BadJournal(path=str(path), line=index + 1, reason="is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise BadJournal(path=str(path), line=index + 1, reason="is not a JSON object")
    return parsed


def _merge(path: Path, events: Iterable[dict[str, Any]], key_id: Optional[str]) -> tuple[JournalEntry, ...]:
    entries: dict[tuple[str, str], JournalEntry] = {}
    for number, event in enumerate(events, start=2):
        kind, block_type, block_name = event.get("event"), event.get("block_type"), event.get("block_name")
        if kind not in _EVENTS or not isinstance(block_type, str) or not isinstance(block_name, str):
            raise BadJournal(path=str(path), line=number, reason="is not a journal event")
        key = (block_type, block_name)
        action = "created" if kind in ("creating", "created") else "updated"
        entry = entries.get(key) or JournalEntry(
            block_type=block_type, block_name=block_name, action=action, digest_key_id=key_id
        )
        try:
            entries[key] = replace(entry, **_entry_fields(event))
        except ValueError:
            raise BadJournal(path=str(path), line=number, reason="has an id that is not a UUID") from None
    return tuple(entries.values())


def _entry_fields(event: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("secret", "updated", "digest", "backup_name"):
        if isinstance(event.get(name), str):
            fields[name] = event[name]
    for name in ("block_id", "backup_id"):
        if event.get(name) is not None:
            fields[name] = UUID(str(event[name]))
    return fields
