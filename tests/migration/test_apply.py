"""Applying a plan against the session's Prefect server: idempotency, conflicts, verification."""

from __future__ import annotations

import itertools
import time
from typing import Any, Union
from uuid import uuid4

import httpx
import pytest
from prefect.blocks.system import Secret
from prefect.client.orchestration import PrefectClient, get_client
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

from prefect_secretblocks import GitHubToken
from prefect_secretblocks._compat import aload_block, asave_block, core_secret_get
from prefect_secretblocks.migration import (
    Action,
    MigrationOptions,
    PlannedBlock,
    Result,
    V1Secret,
    apply_migration,
    plan_migration,
    run_migration,
)
from prefect_secretblocks.migration import apply as apply_module
from prefect_secretblocks.migration.targets import TARGETS_BY_SLUG

_prefixes = itertools.count()


@pytest.fixture
def prefix() -> str:
    """A fresh block-name prefix, so tests sharing the server never see each other's blocks."""
    return f"apply{next(_prefixes)}-"


def secret(name: str, value: Any) -> V1Secret:
    return V1Secret(name=name, value=value, sources=("config.toml",))


SECRETS = [
    secret("GITHUB_ACCESS_TOKEN", "ghp_" + "fakeApplyTok" * 3),
    secret("AWS_CREDENTIALS", {"ACCESS_KEY": "AKIAFAKE", "SECRET_ACCESS_KEY": "fake-secret"}),
    secret("PORT", 5432),
    secret("FLAG", True),
    secret("NOTHING", None),
    secret("DOC", {"user": "fake", "ports": [1, 2]}),
    secret("LOOKS_LIKE_JSON", "12"),
    secret("LOOKS_LIKE_NULL", "null"),
    secret("PAIR", (1, 2)),
    secret("A_SET", {1, 2}),
]


async def saved_value(slug: str, name: str) -> Any:
    target = TARGETS_BY_SLUG[slug]
    return target.v1_value(await aload_block(target.block_class(), name))


async def block_ids_and_times(names: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    async with get_client() as client:
        return {
            (slug, name): (doc.id, doc.updated)
            for slug, name in names
            for doc in [await client.read_block_document_by_name(name, slug, include_secrets=False)]
        }


async def test_first_run_creates_every_block_with_the_1x_value(prefix: str) -> None:
    plan, report = await run_migration(SECRETS, MigrationOptions(prefix=prefix))
    assert report is not None and not report.problems
    results = {outcome.entry.secret: outcome.result for outcome in report.outcomes}
    assert results.pop("A_SET") is Result.UNSUPPORTED
    assert set(results.values()) == {Result.CREATED}
    for entry in plan.entries:
        if entry.action is Action.CREATE:
            expected = next(s.value for s in SECRETS if s.name == entry.secret)
            expected = list(expected) if isinstance(expected, tuple) else expected
            assert await saved_value(entry.block_type, entry.block_name) == expected, entry.secret


async def test_core_secret_returns_json_looking_strings_unchanged(prefix: str) -> None:
    await run_migration([secret("LOOKS_LIKE_JSON", "12"), secret("NULL_TEXT", "null")], MigrationOptions(prefix=prefix))
    assert core_secret_get(await aload_block(Secret, f"{prefix}looks-like-json")) == "12"
    assert core_secret_get(await aload_block(Secret, f"{prefix}null-text")) == "null"


async def test_a_tuple_is_saved_as_a_list_with_a_note(prefix: str) -> None:
    plan, _ = await run_migration([secret("PAIR", (1, 2))], MigrationOptions(prefix=prefix))
    assert "tuple" in plan.entries[0].note
    assert core_secret_get(await aload_block(Secret, f"{prefix}pair")) == [1, 2]


async def test_re_running_is_idempotent_and_writes_nothing(prefix: str) -> None:
    plan, _ = await run_migration(SECRETS, MigrationOptions(prefix=prefix))
    written = [(entry.block_type, entry.block_name) for entry in plan.writes]
    before = await block_ids_and_times(written)

    again, report = await run_migration(SECRETS, MigrationOptions(prefix=prefix))

    assert again.summary()["unchanged"] == len(written) and not again.writes
    assert report is not None and report.summary()["unchanged"] == len(written)
    assert await block_ids_and_times(written) == before


async def test_skip_leaves_an_existing_different_block_untouched(prefix: str) -> None:
    await asave_block(Secret(value="fake-old"), f"{prefix}db-password")
    plan, report = await run_migration([secret("DB_PASSWORD", "fake-new")], MigrationOptions(prefix=prefix))
    assert plan.entries[0].action is Action.SKIP
    assert report is not None and report.outcomes[0].result is Result.SKIPPED and not report.problems
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"


async def test_overwrite_updates_an_existing_different_block(prefix: str) -> None:
    await asave_block(Secret(value="fake-old"), f"{prefix}db-password")
    plan, report = await run_migration(
        [secret("DB_PASSWORD", {"user": "fake"})], MigrationOptions(prefix=prefix, on_conflict="overwrite")
    )
    assert plan.entries[0].action is Action.UPDATE
    assert report is not None and report.outcomes[0].result is Result.UPDATED
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == {"user": "fake"}


async def test_fail_on_conflict_writes_nothing_at_all(prefix: str) -> None:
    await asave_block(Secret(value="fake-old"), f"{prefix}db-password")
    secrets = [secret("DB_PASSWORD", "fake-new"), secret("OTHER", "fake-other")]
    _, report = await run_migration(secrets, MigrationOptions(prefix=prefix, on_conflict="fail"))
    assert report is not None
    assert {o.entry.secret: o.result for o in report.outcomes} == {
        "DB_PASSWORD": Result.CONFLICT,
        "OTHER": Result.NOT_WRITTEN,
    }
    assert [o.entry.secret for o in report.problems] == ["DB_PASSWORD"]
    with pytest.raises(ValueError):
        await aload_block(Secret, f"{prefix}other")
    assert core_secret_get(await aload_block(Secret, f"{prefix}db-password")) == "fake-old"


async def test_verification_reports_a_block_read_back_with_another_value(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apply_module, "_saved_value_json", lambda slug, document: '"tampered"')
    plan = plan_migration([secret("VERIFIED", "fake-value")], MigrationOptions(prefix=prefix))
    report = await apply_migration(plan)
    assert report.outcomes[0].result is Result.FAILED
    assert "different from the one saved" in report.outcomes[0].error


@pytest.mark.parametrize("concurrency", [1, 16])
async def test_any_concurrency_saves_every_block_and_reports_each_once(prefix: str, concurrency: int) -> None:
    secrets = [secret(f"BULK_{index}", f"fake-{index}") for index in range(24)]
    seen: list[str] = []
    plan = plan_migration(secrets, MigrationOptions(prefix=prefix))
    report = await apply_migration(plan, concurrency=concurrency, on_outcome=lambda o: seen.append(o.entry.secret))
    assert sorted(seen) == sorted(s.name for s in secrets)
    assert report.summary()["created"] == len(secrets)


async def test_apply_registers_the_block_types_it_needs(prefix: str) -> None:
    async with get_client() as client:
        await apply_migration(
            plan_migration(
                [secret("GITHUB_ACCESS_TOKEN", "ghp_" + "fakeRegister" * 3)], MigrationOptions(prefix=prefix)
            ),
            client,
        )
        block_type = await client.read_block_type_by_slug("github-token")
    assert block_type.name == "GitHub Token"
    assert (await GitHubToken.aload(f"{prefix}github-access-token")).get().startswith("ghp_fakeRegister")


def busy_api(answers: list[Union[int, httpx.TransportError]]) -> tuple[PrefectClient, list[httpx.Request]]:
    """A migration client whose API answers each request with the next status (or error) in `answers`."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/csrf-token"):
            return httpx.Response(422, json={"detail": "CSRF protection is disabled."})  # as Prefect answers
        requests.append(request)
        answer = answers[len(requests) - 1]
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, json=SAVED_DOCUMENT if answer == 201 else {})

    client = PrefectClient(
        "http://prefect.invalid/api",
        httpx_settings={
            "transport": httpx.MockTransport(answer),
            "event_hooks": {"response": [apply_module.suggest_busy_retry_delay]},
        },
    )
    return client, requests


SAVED_DOCUMENT = {
    "id": str(uuid4()),
    "name": "saved",
    "data": {},
    "block_schema_id": str(uuid4()),
    "block_type_id": str(uuid4()),
    "created": "2026-01-01T00:00:00+00:00",
    "updated": "2026-01-01T00:00:00+00:00",
}


def writer_for(client: PrefectClient) -> apply_module.PlanWriter:
    """A plan writer that takes the core Secret type as registered (the mock API knows no types)."""
    writer = apply_module.PlanWriter(client)
    writer.block_types["secret"] = apply_module._BlockTypeIds(block_type_id=uuid4(), block_schema_id=uuid4())
    return writer


def planned_secret(prefix: str, name: str) -> PlannedBlock:
    return plan_migration([secret(name, "fake-value")], MigrationOptions(prefix=prefix)).entries[0]


async def test_a_busy_server_is_retried_at_once_not_after_the_clients_2_4_8_seconds(prefix: str) -> None:
    client, requests = busy_api([503, 503, 201])  # what a SQLite-backed server says when writes overlap
    started = time.monotonic()
    async with client:
        outcome = await writer_for(client).save(planned_secret(prefix, "BUSY"))
    assert outcome.result is Result.CREATED
    assert len(requests) == 3 and all(request.method == "POST" for request in requests)
    assert time.monotonic() - started < 1.5  # Prefect's client waits 2 s before its first retry


async def test_an_unreachable_server_is_given_up_and_the_rest_not_attempted(prefix: str) -> None:
    client, requests = busy_api([httpx.ConnectError("refused")] * 3)
    async with client:
        writer = writer_for(client)
        first = await writer.save(planned_secret(prefix, "UNREACHABLE"))
        second = await writer.save(planned_secret(prefix, "NEXT"))
    assert first.result is Result.FAILED and "could not reach the Prefect API" in first.error
    assert second.result is Result.FAILED and second.error.startswith("not attempted")
    assert len(requests) == 1


async def test_a_refused_save_is_not_retried(prefix: str) -> None:
    client, requests = busy_api([422])
    async with client:
        outcome = await writer_for(client).save(planned_secret(prefix, "REFUSED"))
    assert outcome.result is Result.FAILED and outcome.error == "the Prefect API answered HTTP 422"
    assert len(requests) == 1


async def test_a_save_that_keeps_failing_gives_up_after_rounds_of_prefects_retries(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apply_module, "busy_retry_delay", lambda busy_answers: 0)
    answers = apply_module.BUSY_ROUNDS * 4  # each round: the first try and PREFECT_CLIENT_MAX_RETRIES=3 more
    client, requests = busy_api([503] * answers)
    with temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 3}):
        async with client:
            outcome = await writer_for(client).save(planned_secret(prefix, "DOWN"))
    assert outcome.result is Result.FAILED and outcome.error == "the Prefect API answered HTTP 503"
    assert len(requests) == answers


async def test_a_connection_the_server_keeps_dropping_is_handed_to_prefects_client_again(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apply_module, "busy_retry_delay", lambda busy_answers: 0)
    client, requests = busy_api([httpx.ReadError("connection reset"), httpx.RemoteProtocolError("closed"), 201])
    with temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}):  # each drop reaches the migration
        async with client:
            outcome = await writer_for(client).save(planned_secret(prefix, "DROPPED"))
    assert outcome.result is Result.CREATED and len(requests) == 3


def test_busy_retry_delays_are_short_and_grow() -> None:
    assert all(0 <= apply_module.busy_retry_delay(answers) <= 2 for answers in range(1, 20))
    assert max(apply_module.busy_retry_delay(1) for _ in range(100)) <= 0.1


async def test_a_servers_own_retry_after_and_maintenance_answers_are_left_to_prefect() -> None:
    request = httpx.Request("POST", "http://prefect.invalid/api/block_documents/")
    told = httpx.Response(503, headers={"Retry-After": "7"}, request=request)
    maintenance = httpx.Response(503, headers={"Prefect-Maintenance": "true"}, request=request)
    for response in (told, maintenance):
        await apply_module.suggest_busy_retry_delay(response)
    assert told.headers["Retry-After"] == "7" and "Retry-After" not in maintenance.headers
