"""Undo one `migrate` run from its journal: delete what it created, restore what it replaced.

A block is touched only while it holds what the run wrote: its type and data give the keyed
digest the journal recorded right after the save (`digest.py`), whoever wrote it last, so a block
a later run replaced and that run's rollback restored counts as unchanged. One changed since to
another value is reported and left alone. Where the digest cannot be compared (a journal written
before digests, or a machine without the journal's key), the `updated` timestamp the journal
recorded is compared instead, and the step's note says so. Undoing is idempotent: a block already
deleted, or already restored, is `already-undone`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Optional

import httpx
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound

from prefect_secretblocks.migration.digest import DigestKey
from prefect_secretblocks.migration.journal import JournalEntry, journal_digest_key, timestamp
from prefect_secretblocks.migration.plan import count_each

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.objects import BlockDocument


class RollbackAction(str, Enum):
    """What undoing the run does (or did) to one block."""

    DELETE = "delete"  # the run created it: delete it
    RESTORE = "restore"  # the run replaced it: put the previous data back, delete the copy
    ALREADY_UNDONE = "already-undone"  # nothing left to do (a second rollback)
    CHANGED = "changed"  # changed by someone after the run: reported, left alone
    FAILED = "failed"  # the API refused or could not be reached


@dataclass(frozen=True)
class RollbackStep:
    """One journaled block and what undoing does to it; `note` is one value-free line."""

    entry: JournalEntry
    action: RollbackAction
    note: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "block_type": self.entry.block_type,
            "block_name": self.entry.block_name,
            "journaled": self.entry.action,
            "action": self.action.value,
            "note": self.note,
        }


@dataclass(frozen=True)
class RollbackReport:
    steps: tuple[RollbackStep, ...]
    dry_run: bool

    @property
    def problems(self) -> tuple[RollbackStep, ...]:
        """Blocks changed since the run, or that could not be undone: the CLI exits 1."""
        return tuple(step for step in self.steps if step.action in (RollbackAction.CHANGED, RollbackAction.FAILED))

    def summary(self) -> dict[str, int]:
        return count_each(RollbackAction, (step.action for step in self.steps))

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "steps": [step.to_dict() for step in self.steps], "summary": self.summary()}


async def rollback_migration(
    entries: Sequence[JournalEntry],
    client: Optional[PrefectClient] = None,
    dry_run: bool = False,
    on_step: Optional[Callable[[RollbackStep], None]] = None,
    digest_key: Optional[DigestKey] = None,
) -> RollbackReport:
    """
    Undo the blocks of a journal (`read_journal`), one at a time, in reverse order.

    Args:
        client: A Prefect client; one is opened (and closed) when omitted.
        dry_run: Decide every step, change nothing.
        digest_key: The key of the journal's digests; by default this machine's (`journal_digest_key()`).
    """
    if client is None:
        async with get_client() as own_client:
            return await rollback_migration(entries, own_client, dry_run, on_step, digest_key)
    digest_key = digest_key or journal_digest_key()
    steps = []
    for entry in reversed(entries):
        undo = _Undo(client, entry, dry_run, digest_key)
        try:
            step = await (undo.created() if entry.action == "created" else undo.replaced())
        except (httpx.HTTPStatusError, httpx.TransportError) as exc:
            step = RollbackStep(entry, RollbackAction.FAILED, _describe(exc))
        if on_step is not None:
            on_step(step)
        steps.append(step)
    return RollbackReport(steps=tuple(reversed(steps)), dry_run=dry_run)


class _Undo:
    """Undoing one journal entry: decide from what the API holds now, then act unless a dry run."""

    def __init__(self, client: PrefectClient, entry: JournalEntry, dry_run: bool, key: Optional[DigestKey]) -> None:
        self.client, self.entry, self.dry_run = client, entry, dry_run
        # Compare data when the journal has this block's digest and this machine the key that made it.
        usable = key is not None and entry.digest is not None and entry.digest_key_id == key.key_id
        self.key = key if usable else None
        self.judged_by_timestamp = False  # set when `changed_since` had to compare `updated` timestamps

    async def created(self) -> RollbackStep:
        """A block the run created: delete it, unless changed since (or gone already)."""
        current = await self.current(include_secrets=self.key is not None)
        if current is None:
            return self.step(RollbackAction.ALREADY_UNDONE, "the block no longer exists")
        if self.changed_since(current):
            return self.step(RollbackAction.CHANGED, "changed after the migration; left as it is")
        if not self.dry_run:
            await self.client.delete_block_document(current.id)
        note = "" if self.entry.confirmed else "the run was stopped before it confirmed this save"
        return self.step(RollbackAction.DELETE, note)

    async def replaced(self) -> RollbackStep:
        """A block the run replaced: restore its previous data from the backup block, then delete the backup."""
        backup = await self.read(self.entry.backup_id, include_secrets=True)
        if backup is None:
            return self.step(RollbackAction.ALREADY_UNDONE, "no copy of the previous value to restore")
        current = await self.current(include_secrets=True)
        if current is None:
            return self.step(RollbackAction.CHANGED, f"deleted after the migration; the copy is kept in {backup.name}")
        restored = current.data == backup.data  # compared in memory, never shown
        if not restored and self.changed_since(current):
            return self.step(RollbackAction.CHANGED, f"changed after the migration; the copy is kept in {backup.name}")
        if not self.dry_run:
            await self.restore(current, backup, restored)
        return self.step(RollbackAction.RESTORE, f"from {backup.name}, which is then deleted")

    def changed_since(self, current: BlockDocument) -> bool:
        """Whether the block no longer holds what the run wrote (unknown for a save the run did not confirm)."""
        if not self.entry.confirmed:
            return False
        if self.key is not None:  # by value: whoever wrote it last, is it what the run wrote?
            block_type = current.block_type.slug if current.block_type else self.entry.block_type
            return self.key.digest(block_type, current.data) != self.entry.digest
        self.judged_by_timestamp = True
        return timestamp(current.updated) != self.entry.updated

    async def restore(self, current: BlockDocument, backup: BlockDocument, restored: bool) -> None:
        from prefect.client.schemas.actions import BlockDocumentUpdate

        if not restored:
            update = BlockDocumentUpdate(
                block_schema_id=backup.block_schema_id, data=backup.data, merge_existing_data=False
            )
            await self.client.update_block_document(current.id, update)
        await self.client.delete_block_document(backup.id)

    async def current(self, include_secrets: bool = False) -> Optional[BlockDocument]:
        """The journaled block as it is now: by id, or by name when the run stopped before learning the id."""
        if self.entry.block_id is not None:
            return await self.read(self.entry.block_id, include_secrets)
        try:
            return await self.client.read_block_document_by_name(
                self.entry.block_name, self.entry.block_type, include_secrets=include_secrets
            )
        except ObjectNotFound:
            return None

    async def read(self, block_id: Any, include_secrets: bool) -> Optional[BlockDocument]:
        if block_id is None:
            return None
        try:
            return await self.client.read_block_document(block_id, include_secrets=include_secrets)
        except ObjectNotFound:
            return None

    def step(self, action: RollbackAction, note: str = "") -> RollbackStep:
        """The step, its note saying when the block was judged by its update time rather than its data."""
        if self.judged_by_timestamp:
            why = (
                "the journal has no digest of it"
                if self.entry.digest is None
                else "no digest key for this journal here"
            )
            judged = f"data not compared ({why}); judged by its update time"
            note = f"{note}; {judged}" if note else judged
        return RollbackStep(entry=self.entry, action=action, note=note)


def _describe(exc: Exception) -> str:
    """One value-free line (API error bodies may echo a request)."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"the Prefect API answered HTTP {exc.response.status_code}"
    return f"could not reach the Prefect API ({type(exc).__name__})"
