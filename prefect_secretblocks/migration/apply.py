"""Write a migration plan into Prefect: register the block types, save concurrently, verify.

Each block is saved by a single call of Prefect's client, so a run that stops half-way (server
gone) leaves every block either fully saved or not saved; running again finishes the rest,
because what was saved is then `unchanged`. Every write is announced in a journal first
(`journal.py`), so `rollback.py` can undo a run, even one that was killed.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar
from uuid import UUID

import httpx
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from prefect_secretblocks._compat import (
    aregister_block_type,
    block_data,
    block_schema_checksum,
    save_concurrency,
    validate_model,
)
from prefect_secretblocks.exceptions import BackupNameTaken
from prefect_secretblocks.migration.journal import JournalWriter, default_journal_path, timestamp
from prefect_secretblocks.migration.plan import (
    Action,
    ExistingBlock,
    MigrationOptions,
    MigrationPlan,
    PlannedBlock,
    count_each,
    plan_migration,
)
from prefect_secretblocks.migration.targets import SAVED_BLOCK_TYPES, canonical_json
from prefect_secretblocks.migration.v1_config import V1Secret, iter_string_leaves
from prefect_secretblocks.redaction import mask_secrets

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.objects import BlockDocument

#: Saves in flight at once: enough to hide API latency, few enough for a SQLite-backed server.
DEFAULT_CONCURRENCY = 8
#: Answers Prefect's client retries (a SQLite-backed server answers 503 whenever two writes
#: overlap, its own event writes included).
RETRY_STATUS_CODES = frozenset({408, 429, 502, 503})
#: The longest wait this package suggests before Prefect's client retries a busy answer.
MAX_BUSY_RETRY_SECONDS = 2.0
#: How many times a save is handed to Prefect's client (each time retried by it up to
#: `PREFECT_CLIENT_MAX_RETRIES`) while the server still answers busy or drops the connection:
#: a loaded SQLite server may stay busy for longer than Prefect's default of 5 retries, with
#: short waits, covers, and resets some connections under concurrent saves.
BUSY_ROUNDS = 5
#: Connections the server dropped mid-request (Prefect's client retries them too); other
#: transport errors mean it cannot be reached.
DROPPED_CONNECTION_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.LocalProtocolError)
#: Where a request counts the busy answers it got (httpx passes unknown extensions through).
_BUSY_ANSWERS = "prefect_secretblocks.busy_answers"
#: The suffix of the block that keeps a replaced block's previous data.
BACKUP_SUFFIX = "-before-migrate"
T = TypeVar("T")


class Result(str, Enum):
    """What happened to one secret."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    UNSUPPORTED = "unsupported"
    CONFLICT = "conflict"
    NOT_WRITTEN = "not-written"  # another secret's conflict stopped the migration
    FAILED = "failed"


_RESULT_OF_UNWRITTEN = {
    Action.UNCHANGED: Result.UNCHANGED,
    Action.SKIP: Result.SKIPPED,
    Action.UNSUPPORTED: Result.UNSUPPORTED,
    Action.CONFLICT: Result.CONFLICT,
}


@dataclass(frozen=True)
class Outcome:
    """One secret's result; `error` is a one-line, value-free reason when it failed."""

    entry: PlannedBlock
    result: Result
    error: str = ""
    backup_name: str = ""  # the block keeping the previous value of a block this run replaced

    def to_dict(self) -> dict[str, str]:
        backup = {"backup": self.backup_name} if self.backup_name else {}
        return {**self.entry.to_dict(), "result": self.result.value, "error": self.error, **backup}


@dataclass(frozen=True)
class MigrationReport:
    """The outcome of every planned secret."""

    outcomes: tuple[Outcome, ...]
    journal: Optional[Path] = None  # where this run recorded what it wrote (None: it wrote nothing)

    @property
    def problems(self) -> tuple[Outcome, ...]:
        """Secrets that failed or were in conflict: the CLI exits 1 when there are any."""
        return tuple(outcome for outcome in self.outcomes if outcome.result in (Result.FAILED, Result.CONFLICT))

    def summary(self) -> dict[str, int]:
        """How many secrets had each result."""
        return count_each(Result, (outcome.result for outcome in self.outcomes))

    def to_dict(self) -> dict[str, Any]:
        return {"results": [outcome.to_dict() for outcome in self.outcomes], "summary": self.summary()}


def migration_client() -> PrefectClient:
    """
    Prefect's client for the API the environment points at, told to retry busy answers soon.

    Prefect's client waits 2, 4, 8... s before retrying an answer such as 503 unless the answer
    says how long to wait (`Retry-After`); a SQLite-backed server answers 503 to about one save
    in fifty, and concurrent saves then spent most of a migration asleep. A response hook gives
    such answers a short, jittered `Retry-After`, so Prefect's own retry loop (its count,
    `PREFECT_CLIENT_MAX_RETRIES`, its CSRF, auth and maintenance handling) does the rest.
    """
    return get_client(httpx_settings={"event_hooks": {"response": [suggest_busy_retry_delay]}})


async def suggest_busy_retry_delay(response: httpx.Response) -> None:
    """Give a busy answer without `Retry-After` a short one (not a server in maintenance)."""
    if (
        response.status_code not in RETRY_STATUS_CODES
        or "Retry-After" in response.headers
        or response.headers.get("Prefect-Maintenance") == "true"
    ):
        return
    busy_answers = response.request.extensions.get(_BUSY_ANSWERS, 0) + 1
    response.request.extensions[_BUSY_ANSWERS] = busy_answers
    response.headers["Retry-After"] = f"{busy_retry_delay(busy_answers):.3f}"


def busy_retry_delay(busy_answers: int) -> float:
    """Seconds before the next try of a request that got `busy_answers` busy answers: full jitter."""
    return random.uniform(0, min(MAX_BUSY_RETRY_SECONDS, 0.05 * 2**busy_answers))


async def while_busy(call: Callable[[], Awaitable[T]]) -> T:
    """`call()` (one request through Prefect's client, with its retries), again while the server is busy."""
    for busy_round in range(1, BUSY_ROUNDS + 1):
        try:
            return await call()
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code not in RETRY_STATUS_CODES or busy_round == BUSY_ROUNDS:
                raise
        except DROPPED_CONNECTION_ERRORS:
            if busy_round == BUSY_ROUNDS:
                raise
        await asyncio.sleep(busy_retry_delay(busy_round))
    raise AssertionError("unreachable")  # the last round returns or raises


async def read_existing_blocks(
    client: PrefectClient, block_type_slugs: Iterable[str]
) -> dict[tuple[str, str], ExistingBlock]:
    """Every saved block of these types, by `(slug, name)`, with its value in 1.x form."""
    existing: dict[tuple[str, str], ExistingBlock] = {}
    for slug in block_type_slugs:
        try:
            # One request per type: this endpoint returns all of the type's documents (no paging).
            documents = await client.read_block_documents_by_type(slug, include_secrets=True)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:  # the type is not registered yet: no blocks of it
                continue
            raise
        for document in documents:
            if document.name is None:  # anonymous documents (nested in other blocks) are never ours
                continue
            existing[(slug, document.name)] = ExistingBlock(document.id, _saved_value_json(slug, document))
    return existing


def _saved_value_json(slug: str, document: BlockDocument) -> Optional[str]:
    target = SAVED_BLOCK_TYPES[slug]
    try:
        # Validate the data directly: `Block._from_block_document` would emit a "loaded" event per block.
        return canonical_json(target.v1_value(validate_model(target.block_class(), document.data)))
    except Exception:  # a block saved by someone else may hold anything; it then differs from ours
        return None


@dataclass(frozen=True)
class _BlockTypeIds:
    block_type_id: UUID
    block_schema_id: UUID


class PlanWriter:
    """
    Writes a plan's blocks into Prefect in three named steps: register the block types, save
    each block (`concurrency` at a time, journaled), verify by reading every block back.

    Once the API is unreachable (after the client's own retries), the remaining saves are not
    attempted: a re-run finishes them, and nothing waits for each of them to time out.
    """

    def __init__(
        self,
        client: PrefectClient,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_outcome: Optional[Callable[[Outcome], None]] = None,
        journal: Optional[JournalWriter] = None,
    ) -> None:
        self.client = client
        self.limit = asyncio.Semaphore(max(1, save_concurrency(concurrency)))
        self.on_outcome = on_outcome
        self.journal = journal
        self.block_types: dict[str, _BlockTypeIds] = {}
        self.registration_errors: dict[str, str] = {}
        self.lost_api: Optional[str] = None
        self.reserved_names: set[tuple[str, str]] = set()

    async def write(self, plan: MigrationPlan) -> MigrationReport:
        """Save and verify the plan's writes; nothing is written when the plan has a conflict."""
        writes = () if plan.conflicts else plan.writes
        unwritten = [
            self.report(Outcome(entry, _RESULT_OF_UNWRITTEN.get(entry.action, Result.NOT_WRITTEN)))
            for entry in plan.entries
            if plan.conflicts or entry.action not in (Action.CREATE, Action.UPDATE)
        ]
        verified: list[Outcome] = []
        if writes:
            self.reserved_names = {(entry.block_type, entry.block_name) for entry in plan.entries}
            await self.register_block_types({entry.block_type for entry in writes})
            verified = await self.verify(await self.save_all(writes))
        # A secret has one entry per block type: its own, and a core SlackWebhook saved beside it.
        by_entry = {(o.entry.secret, o.entry.block_type): o for o in (*unwritten, *verified)}
        journal = self.journal.path if self.journal else None
        return MigrationReport(tuple(by_entry[(e.secret, e.block_type)] for e in plan.entries), journal=journal)

    async def register_block_types(self, slugs: Collection[str]) -> None:
        """Register each needed block type once, and learn its type and schema ids."""
        for slug in sorted(slugs):
            block_class = SAVED_BLOCK_TYPES[slug].block_class()
            try:
                await aregister_block_type(block_class, self.client)
                block_type = await self.client.read_block_type_by_slug(slug)
                schema = await self.client.read_block_schema_by_checksum(
                    block_schema_checksum(block_class), version=block_class.get_block_schema_version()
                )
            except Exception as exc:  # reported on each secret of this type
                self.registration_errors[slug] = f"could not register block type {slug}: {_describe_failure(exc)}"
                continue
            self.block_types[slug] = _BlockTypeIds(block_type_id=block_type.id, block_schema_id=schema.id)

    async def save_all(self, writes: Sequence[PlannedBlock]) -> list[Outcome]:
        """
        Save every block, `concurrency` at a time.

        A Prefect server creates its encryption key on the first secret block saved to it, and
        concurrent first saves race for that key (all but one get 409 on PostgreSQL): one goes first.
        """
        first, *rest = writes
        return [await self.save(first), *await asyncio.gather(*(self.save(entry) for entry in rest))]

    async def save(self, entry: PlannedBlock) -> Outcome:
        """Save one block; its failure is its outcome, never the others'."""
        if entry.block_type in self.registration_errors:
            return self.report(Outcome(entry, Result.FAILED, self.registration_errors[entry.block_type]))
        async with self.limit:
            if self.lost_api is not None:
                return self.report(Outcome(entry, Result.FAILED, f"not attempted: {self.lost_api}"))
            try:
                if entry.action is Action.CREATE:
                    await self.create(entry)
                    return self.report(Outcome(entry, Result.CREATED))
                backup_name = await self.replace(entry)
            except Exception as exc:  # one secret's failure must not stop the others
                if isinstance(exc, httpx.TransportError):
                    self.lost_api = _describe_failure(exc)
                return self.report(Outcome(entry, Result.FAILED, _describe_failure(exc, entry)))
        return self.report(Outcome(entry, Result.UPDATED, backup_name=backup_name))

    async def create(self, entry: PlannedBlock) -> None:
        """Create the block in one call, journaled before and after."""
        from prefect.client.schemas.actions import BlockDocumentCreate

        ids = self.block_types[entry.block_type]
        self.record("creating", entry)
        create = BlockDocumentCreate(
            name=entry.block_name,
            data=_data(entry),
            block_schema_id=ids.block_schema_id,
            block_type_id=ids.block_type_id,
        )
        document = await while_busy(lambda: self.client.create_block_document(create, include_secrets=True))
        # The server answers a create with its secrets masked, and stores the data as sent: the
        # digest is of the data sent (a test holds it equal to the data read back with secrets).
        self.record("created", entry, written=create.data, block_id=document.id, updated=timestamp(document.updated))

    async def replace(self, entry: PlannedBlock) -> str:
        """Keep the block's previous data as a backup block, then replace its data; the backup's name."""
        from prefect.client.schemas.actions import BlockDocumentUpdate

        existing_id = entry.existing_id
        assert existing_id is not None  # an update is planned only for an existing block
        self.record("backing-up", entry, block_id=existing_id)
        backup = await self.back_up(entry, await self.client.read_block_document(existing_id))
        self.record("backed-up", entry, block_id=existing_id, backup_name=backup.name, backup_id=backup.id)
        update = BlockDocumentUpdate(
            block_schema_id=self.block_types[entry.block_type].block_schema_id,
            data=_data(entry),
            merge_existing_data=False,
        )
        await while_busy(lambda: self.client.update_block_document(existing_id, update))
        saved = await self.client.read_block_document(existing_id, include_secrets=True)
        self.record("updated", entry, written=saved.data, block_id=existing_id, updated=timestamp(saved.updated))
        return str(backup.name)

    async def back_up(self, entry: PlannedBlock, previous: BlockDocument) -> BlockDocument:
        """Save `previous` as `NAME-before-migrate` of the same type (`-2`, `-3`... when taken)."""
        from prefect.client.schemas.actions import BlockDocumentCreate

        for attempt in range(1, 100):
            name = f"{entry.block_name}{BACKUP_SUFFIX}{'' if attempt == 1 else f'-{attempt}'}"
            if (entry.block_type, name) in self.reserved_names:
                continue  # the plan itself saves a block of this name
            copy = BlockDocumentCreate(
                name=name,
                data=previous.data,
                block_schema_id=previous.block_schema_id,
                block_type_id=previous.block_type_id,
            )
            try:
                return await while_busy(lambda: self.client.create_block_document(copy, include_secrets=True))  # noqa: B023 (awaited here)
            except ObjectAlreadyExists:
                continue
        raise BackupNameTaken(block_name=entry.block_name, suffix=BACKUP_SUFFIX)

    async def verify(self, outcomes: Sequence[Outcome]) -> list[Outcome]:
        """Read every saved block back; a value that differs from the plan's is a failure."""
        if self.lost_api is not None:
            return _unverified(outcomes, self.lost_api)
        saved_types = {outcome.entry.block_type for outcome in outcomes if outcome.result is not Result.FAILED}
        if not saved_types:
            return list(outcomes)
        try:
            existing = await read_existing_blocks(self.client, saved_types)
        except Exception as exc:  # the saves happened; say that they could not be checked
            return _unverified(outcomes, _describe_failure(exc))
        return [
            o
            if o.result is Result.FAILED or _read_back(existing, o.entry) == o.entry.value_json
            else Outcome(o.entry, Result.FAILED, "read back a value different from the one saved")
            for o in outcomes
        ]

    def report(self, outcome: Outcome) -> Outcome:
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    def record(self, event: str, entry: PlannedBlock, **fields: Any) -> None:
        if self.journal is not None:
            self.journal.record(event, entry.block_type, entry.block_name, secret=entry.secret, **fields)


async def apply_migration(
    plan: MigrationPlan,
    client: Optional[PrefectClient] = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Optional[Callable[[Outcome], None]] = None,
    journal: Optional[JournalWriter] = None,
) -> MigrationReport:
    """
    Save the plan's blocks into the Prefect the environment points at, then verify them.

    Nothing is written when the plan has a conflict. Saves run `concurrency` at a time
    on one client; each saved block is read back and compared with what 1.x returned.

    Args:
        plan: What `plan_migration` returned.
        client: A Prefect client; one is opened (and closed) when omitted.
        concurrency: How many saves are in flight at once.
        on_outcome: Called with each secret's outcome as it is known (for progress bars).
        journal: Where each write is recorded before and after it happens (for `rollback`).
    """
    if client is None:
        async with migration_client() as own_client:
            return await apply_migration(plan, own_client, concurrency, on_outcome, journal)
    return await PlanWriter(client, concurrency, on_outcome, journal).write(plan)


def _data(entry: PlannedBlock) -> dict[str, Any]:
    """The data `Block.save` would send, without its per-call JSON-schema generation (the CPU cost)."""
    assert entry.block is not None  # planned writes always carry their block
    return block_data(entry.block, include_secrets=True)


def _unverified(outcomes: Sequence[Outcome], reason: str) -> list[Outcome]:
    """Saved blocks that could not be read back are reported as failures: re-run to verify them."""
    message = f"saved, but could not be read back to verify: {reason}"
    return [o if o.result is Result.FAILED else Outcome(o.entry, Result.FAILED, message) for o in outcomes]


def _read_back(existing: Mapping[tuple[str, str], ExistingBlock], entry: PlannedBlock) -> Optional[str]:
    found = existing.get((entry.block_type, entry.block_name))
    return found.value_json if found else None


def _describe_failure(exc: Exception, entry: Optional[PlannedBlock] = None) -> str:
    """A one-line reason that never carries a value (API error bodies echo the request)."""
    if isinstance(exc, ObjectAlreadyExists):
        return "a block with this name appeared while migrating; run the migration again"
    if isinstance(exc, ObjectNotFound):
        return "the block was deleted while migrating; run the migration again"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"the Prefect API answered HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.TransportError):
        return f"could not reach the Prefect API ({type(exc).__name__})"
    secrets = iter_string_leaves(json.loads(entry.value_json)) if entry and entry.value_json else ()
    first_line = (str(exc).splitlines() or [""])[0]
    return mask_secrets(f"{type(exc).__name__}: {first_line}", secrets)


async def run_migration(
    secrets: Sequence[V1Secret],
    options: MigrationOptions = MigrationOptions(),
    dry_run: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Optional[Callable[[Outcome], None]] = None,
    journal_path: Optional[Path] = None,
) -> tuple[MigrationPlan, Optional[MigrationReport]]:
    """
    Plan against what Prefect already holds, then apply unless `dry_run`: the whole `migrate` command.

    Args:
        journal_path: Where to record the blocks written (default: `default_journal_path()`);
            created only when the plan writes something.

    Returns:
        The plan, and the report (None on a dry run).

    Raises:
        BadInputError: The plan cannot be made (see `plan_migration`), or the journal cannot
            be created; nothing is written.
    """
    # Plan once offline to learn the block types involved, and validate every input first.
    block_types = {entry.block_type for entry in plan_migration(secrets, options).entries}
    async with migration_client() as client:
        existing = await read_existing_blocks(client, block_types)
        plan = plan_migration(secrets, options, existing)
        if options.check_credentials:
            from prefect_secretblocks.checks.planned import check_planned_credentials

            plan = await check_planned_credentials(plan)
        if dry_run:
            return plan, None
        if not plan.writes or plan.conflicts:
            return plan, await apply_migration(plan, client, concurrency, on_outcome)
        journal = JournalWriter(journal_path or default_journal_path())
        try:
            return plan, await apply_migration(plan, client, concurrency, on_outcome, journal)
        finally:
            journal.close()
