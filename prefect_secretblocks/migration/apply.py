"""Write a migration plan into Prefect: register the block types, save concurrently, verify.

Each block is saved by a single API call, so a run that stops half-way (server gone)
leaves every block either fully saved or not saved; running again finishes the rest,
because what was saved is then `unchanged`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Optional

import httpx
from prefect.client.orchestration import get_client

from prefect_secretblocks._compat import aregister_block_type, block_data, save_concurrency, validate_model
from prefect_secretblocks.migration.plan import (
    Action,
    ExistingBlock,
    MigrationOptions,
    MigrationPlan,
    PlannedBlock,
    count_each,
    plan_migration,
)
from prefect_secretblocks.migration.targets import TARGETS_BY_SLUG, canonical_json
from prefect_secretblocks.migration.v1_config import V1Secret, iter_string_leaves
from prefect_secretblocks.redaction import mask_secrets

if TYPE_CHECKING:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.objects import BlockDocument

#: Saves in flight at once: enough to hide API latency, few enough for a SQLite-backed server.
DEFAULT_CONCURRENCY = 8
#: Answers worth another try, as Prefect's client has them (a SQLite-backed server answers 503
#: whenever two writes overlap, its own event writes included).
RETRY_STATUS_CODES = frozenset({408, 429, 502, 503})
#: Connections the server dropped mid-request, also retried by Prefect's client (a busy server
#: resets some under concurrent saves); other transport errors mean it cannot be reached.
DROPPED_CONNECTION_ERRORS = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.LocalProtocolError)
#: Tries of one save while the server answers busy or drops the connection (about 30 s at most),
#: and while it cannot be reached at all (then the API is taken as lost: see `apply_migration`).
BUSY_ATTEMPTS = 30
UNREACHABLE_ATTEMPTS = 3


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

    def to_dict(self) -> dict[str, str]:
        return {**self.entry.to_dict(), "result": self.result.value, "error": self.error}


@dataclass(frozen=True)
class MigrationReport:
    """The outcome of every planned secret."""

    outcomes: tuple[Outcome, ...]

    @property
    def problems(self) -> tuple[Outcome, ...]:
        """Secrets that failed or were in conflict: the CLI exits 1 when there are any."""
        return tuple(outcome for outcome in self.outcomes if outcome.result in (Result.FAILED, Result.CONFLICT))

    def summary(self) -> dict[str, int]:
        """How many secrets had each result."""
        return count_each(Result, (outcome.result for outcome in self.outcomes))

    def to_dict(self) -> dict[str, Any]:
        return {"results": [outcome.to_dict() for outcome in self.outcomes], "summary": self.summary()}


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
            existing[(slug, document.name)] = ExistingBlock(document.id, _saved_value_json(slug, document))
    return existing


def _saved_value_json(slug: str, document: BlockDocument) -> Optional[str]:
    target = TARGETS_BY_SLUG[slug]
    try:
        # Validate the data directly: `Block._from_block_document` would emit a "loaded" event per block.
        return canonical_json(target.v1_value(validate_model(target.block_class(), document.data)))
    except Exception:  # a block saved by someone else may hold anything; it then differs from ours
        return None


async def apply_migration(
    plan: MigrationPlan,
    client: Optional[PrefectClient] = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_outcome: Optional[Callable[[Outcome], None]] = None,
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
    """
    if client is None:
        async with get_client() as own_client:
            return await apply_migration(plan, own_client, concurrency, on_outcome)

    def report(outcome: Outcome) -> Outcome:
        if on_outcome is not None:
            on_outcome(outcome)
        return outcome

    writes = () if plan.conflicts else plan.writes
    unwritten = [
        report(Outcome(entry, _RESULT_OF_UNWRITTEN.get(entry.action, Result.NOT_WRITTEN)))
        for entry in plan.entries
        if plan.conflicts or entry.action not in (Action.CREATE, Action.UPDATE)
    ]
    if not writes:
        return MigrationReport(tuple(unwritten))

    registration_errors = await _register_block_types(client, {entry.block_type for entry in writes})
    limit = asyncio.Semaphore(max(1, save_concurrency(concurrency)))
    # Once the API is unreachable (after the save's own retries), the rest is not attempted:
    # a re-run finishes it, and nothing waits for every remaining save to time out.
    lost_api: list[str] = []

    async def save(entry: PlannedBlock) -> Outcome:
        if entry.block_type in registration_errors:
            return report(Outcome(entry, Result.FAILED, registration_errors[entry.block_type]))
        async with limit:
            if lost_api:
                return report(Outcome(entry, Result.FAILED, f"not attempted: {lost_api[0]}"))
            try:
                await _save_with_retries(client, entry)
            except Exception as exc:  # one secret's failure must not stop the others
                if isinstance(exc, httpx.TransportError):
                    lost_api.append(_describe_failure(exc))
                return report(Outcome(entry, Result.FAILED, _describe_failure(exc, entry)))
        return report(Outcome(entry, Result.CREATED if entry.action is Action.CREATE else Result.UPDATED))

    # A Prefect server creates its encryption key on the first secret block saved to it, and
    # concurrent first saves race for that key (all but one get 409 on PostgreSQL): one goes first.
    first, *rest = writes
    written = [await save(first), *await asyncio.gather(*(save(entry) for entry in rest))]
    verified = await _verify(client, written) if not lost_api else _unverified(written, lost_api[0])
    by_secret = {outcome.entry.secret: outcome for outcome in (*unwritten, *verified)}
    return MigrationReport(tuple(by_secret[entry.secret] for entry in plan.entries))


async def _register_block_types(client: PrefectClient, slugs: Collection[str]) -> dict[str, str]:
    """Register each needed block type once; returns the slugs that failed, with why."""
    errors: dict[str, str] = {}
    for slug in sorted(slugs):
        try:
            await aregister_block_type(TARGETS_BY_SLUG[slug].block_class(), client)
        except Exception as exc:  # reported on each secret of this type
            errors[slug] = f"could not register block type {slug}: {_describe_failure(exc)}"
    return errors


async def _save_with_retries(client: PrefectClient, entry: PlannedBlock) -> None:
    """`_save_block`, tried again after a retryable answer or a transport error."""
    for attempt in itertools.count(1):
        try:
            return await _save_block(client, entry)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code not in RETRY_STATUS_CODES or attempt >= BUSY_ATTEMPTS:
                raise
            delay = _retry_delay(attempt, exc.response)
        except DROPPED_CONNECTION_ERRORS:
            if attempt >= BUSY_ATTEMPTS:
                raise
            delay = _retry_delay(attempt, None)
        except httpx.TransportError:
            if attempt >= UNREACHABLE_ATTEMPTS:
                raise
            delay = _retry_delay(attempt, None)
        await asyncio.sleep(delay)


def _retry_delay(attempt: int, response: Optional[httpx.Response]) -> float:
    """Seconds before the next attempt: `Retry-After` when given, else a full-jitter backoff."""
    retry_after = response.headers.get("Retry-After", "") if response is not None else ""
    if retry_after.replace(".", "", 1).isdigit():
        return float(retry_after)
    return random.uniform(0, min(2.0, 0.05 * 2**attempt))


async def _save_block(client: PrefectClient, entry: PlannedBlock) -> None:
    """Create or update one block document in a single API call."""
    assert entry.block is not None  # planned writes always carry their block
    block_class = type(entry.block)
    # The data `Block._to_block_document` would send, without its per-call JSON-schema
    # generation, which made it the migration's main CPU cost.
    data = block_data(entry.block, include_secrets=True)
    schema_id = str(block_class._block_schema_id)
    if entry.action is Action.CREATE:
        body = {"name": entry.block_name, "data": data, "block_schema_id": schema_id,
                "block_type_id": str(block_class._block_type_id)}  # fmt: skip
        await _send_once(client, "POST", "/block_documents/", body)
        return
    assert entry.existing_id is not None  # an update is planned only for an existing block
    body = {"block_schema_id": schema_id, "data": data, "merge_existing_data": False}
    await _send_once(client, "PATCH", f"/block_documents/{entry.existing_id}", body)


async def _send_once(client: PrefectClient, method: str, path: str, body: dict[str, Any]) -> None:
    """
    One request through the client's connection (base URL, auth, transport), without its retries.

    Prefect's client sleeps 2, 4, 8... s before retrying a busy answer (and 2 s even with
    retries turned off), and a SQLite-backed server answers 503 whenever two writes overlap, its
    own event writes included: concurrent saves spent most of a migration asleep. Saves retry
    on their own, shorter schedule instead (`_save_with_retries`).
    """
    http = client._client
    request = http.build_request(method, path, json=body)
    if http.enable_csrf_support:
        await http._add_csrf_headers(request)
    response = await httpx.AsyncClient.send(http, request)
    response.raise_for_status()


async def _verify(client: PrefectClient, outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Read every saved block back; a value that differs from the plan's is a failure."""
    saved_types = {outcome.entry.block_type for outcome in outcomes if outcome.result is not Result.FAILED}
    if not saved_types:
        return list(outcomes)
    try:
        existing = await read_existing_blocks(client, saved_types)
    except Exception as exc:  # the saves happened; say that they could not be checked
        return _unverified(outcomes, _describe_failure(exc))
    return [
        o
        if o.result is Result.FAILED or _read_back(existing, o.entry) == o.entry.value_json
        else Outcome(o.entry, Result.FAILED, "read back a value different from the one saved")
        for o in outcomes
    ]


def _unverified(outcomes: Sequence[Outcome], reason: str) -> list[Outcome]:
    """Saved blocks that could not be read back are reported as failures: re-run to verify them."""
    message = f"saved, but could not be read back to verify: {reason}"
    return [o if o.result is Result.FAILED else Outcome(o.entry, Result.FAILED, message) for o in outcomes]


def _read_back(existing: Mapping[tuple[str, str], ExistingBlock], entry: PlannedBlock) -> Optional[str]:
    found = existing.get((entry.block_type, entry.block_name))
    return found.value_json if found else None


def _describe_failure(exc: Exception, entry: Optional[PlannedBlock] = None) -> str:
    """A one-line reason that never carries a value (API error bodies echo the request)."""
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 409:
        return "a block with this name appeared while migrating; run the migration again"
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
) -> tuple[MigrationPlan, Optional[MigrationReport]]:
    """
    Plan against what Prefect already holds, then apply unless `dry_run`: the whole `migrate` command.

    Returns:
        The plan, and the report (None on a dry run).

    Raises:
        BadInputError: The plan cannot be made (see `plan_migration`); nothing is written.
    """
    # Plan once offline to learn the block types involved, and validate every input first.
    block_types = {entry.block_type for entry in plan_migration(secrets, options).entries}
    async with get_client() as client:
        existing = await read_existing_blocks(client, block_types)
        plan = plan_migration(secrets, options, existing)
        if dry_run:
            return plan, None
        return plan, await apply_migration(plan, client, concurrency, on_outcome)
