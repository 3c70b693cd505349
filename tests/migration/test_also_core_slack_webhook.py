"""`MigrationOptions(also_core_slack_webhook=True)` (`migrate --also-core-slack-webhook`): Prefect's core
`SlackWebhook` saved beside each `SlackWebhookURL`, with the same name and URL, for Automations on a
server that cannot import this package. Planned, saved, verified, journaled, checked and rolled back
like every other block; the URL never printed.
"""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from prefect.blocks.notifications import SlackWebhook

from prefect_secretblocks import SlackWebhookURL
from prefect_secretblocks._compat import aload_block, asave_block
from prefect_secretblocks.migration import (
    Action,
    ExistingBlock,
    MigrationOptions,
    OnConflict,
    Result,
    RollbackAction,
    V1Secret,
    plan_migration,
    read_journal,
    rollback_migration,
    run_migration,
)
from prefect_secretblocks.migration.targets import canonical_json
from tests import canaries
from tests.canaries import assert_no_leak
from tests.test_cli import migrate

ALSO_CORE = MigrationOptions(also_core_slack_webhook=True)
LOOPBACK_URL = f"http://127.0.0.1:9/services/{canaries.SLACK_PATH}"  # a SlackWebhookURL may hold any http(s) URL
OTHER_URL = "https://hooks.slack.com/services/TOTHER1/BOTHER1/otherFakeHookValue"
_prefixes = itertools.count()


@pytest.fixture
def prefix() -> str:
    return f"core{next(_prefixes)}-"


def secret(name: str, value: Any) -> V1Secret:
    return V1Secret(name=name, value=value, sources=("config.toml",))


def rows(options: MigrationOptions, *secrets: V1Secret, **kwargs: Any) -> list[tuple[str, str, str, Action]]:
    plan = plan_migration(list(secrets), options, **kwargs)
    return [(entry.secret, entry.block_type, entry.block_name, entry.action) for entry in plan.entries]


# --- the plan -------------------------------------------------------------------------------


def test_without_the_option_no_core_slack_webhook_is_planned() -> None:
    assert rows(MigrationOptions(), secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL)) == [
        ("SLACK_WEBHOOK_URL", "slack-webhook-url", "slack-webhook-url", Action.CREATE)
    ]


def test_each_slack_webhook_url_is_followed_by_a_core_slack_webhook_of_the_same_name() -> None:
    planned = rows(
        MigrationOptions(also_core_slack_webhook=True, prefix="team-", block_names={"ALERTS_HOOK": "alerts"}),
        secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL),
        secret("ALERTS_HOOK", OTHER_URL),  # a Slack URL under another name: a SlackWebhookURL by its shape
        secret("DB_PASSWORD", canaries.GENERIC),
    )
    assert planned == [
        ("SLACK_WEBHOOK_URL", "slack-webhook-url", "team-slack-webhook-url", Action.CREATE),
        ("SLACK_WEBHOOK_URL", "slack-webhook", "team-slack-webhook-url", Action.CREATE),
        ("ALERTS_HOOK", "slack-webhook-url", "alerts", Action.CREATE),
        ("ALERTS_HOOK", "slack-webhook", "alerts", Action.CREATE),
        ("DB_PASSWORD", "secret", "team-db-password", Action.CREATE),
    ]


def test_the_core_block_holds_the_same_url_and_is_verified_as_the_same_value() -> None:
    own, core = plan_migration([secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL)], ALSO_CORE).entries
    assert isinstance(core.block, SlackWebhook)
    assert core.block.url.get_secret_value() == canaries.SLACK_URL
    assert core.value_json == own.value_json == canonical_json(canaries.SLACK_URL)
    # Not Prefect 2's default "prefect_default", which Apprise 1.13 refuses (tests/e2e/test_automations.py).
    assert core.block.notify_type == "info"


def test_an_existing_core_block_with_the_same_url_is_unchanged() -> None:
    found = {("slack-webhook", "slack-webhook-url"): ExistingBlock(uuid.uuid4(), canonical_json(canaries.SLACK_URL))}
    planned = rows(ALSO_CORE, secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL), existing=found)
    assert [action for *_, action in planned] == [Action.CREATE, Action.UNCHANGED]


@pytest.mark.parametrize(
    ("on_conflict", "action"),
    [(OnConflict.SKIP, Action.SKIP), (OnConflict.OVERWRITE, Action.UPDATE), (OnConflict.FAIL, Action.CONFLICT)],
)
def test_an_existing_core_block_with_another_url_follows_on_conflict(on_conflict: OnConflict, action: Action) -> None:
    found = {("slack-webhook", "slack-webhook-url"): ExistingBlock(uuid.uuid4(), canonical_json(OTHER_URL))}
    options = MigrationOptions(also_core_slack_webhook=True, on_conflict=on_conflict)
    plan = plan_migration([secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL)], options, existing=found)
    own, core = plan.entries
    assert (own.action, core.action) == (Action.CREATE, action)
    assert "exists with a different value" in core.note and core.existing_id is not None


def test_a_url_the_core_block_cannot_post_to_is_unsupported_and_never_reaches_apprise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    own, core = plan_migration([secret("SLACK_WEBHOOK_URL", LOOPBACK_URL)], ALSO_CORE).entries
    assert own.action is Action.CREATE
    assert (core.block_type, core.action, core.block) == ("slack-webhook", Action.UNSUPPORTED, None)
    assert "posts only to Slack incoming-webhook URLs" in core.note
    # Apprise logs, in full, a URL it cannot parse: the plan must not have built the core block.
    assert_no_leak(caplog.text, "the logs of planning")


def test_no_core_block_beside_a_slack_url_kept_as_a_core_secret() -> None:
    options = MigrationOptions(also_core_slack_webhook=True, block_types={"SLACK_WEBHOOK_URL": "secret"})
    assert rows(options, secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL)) == [
        ("SLACK_WEBHOOK_URL", "secret", "slack-webhook-url", Action.CREATE)
    ]


def test_the_plans_json_lists_the_core_block_and_no_url() -> None:
    plan = plan_migration([secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL)], ALSO_CORE)
    document = plan.to_dict()
    assert [entry["block_type"] for entry in document["plan"]] == ["slack-webhook-url", "slack-webhook"]
    assert document["summary"]["create"] == 2
    assert_no_leak(json.dumps(document) + repr(plan), "the plan")


# --- applied against the session's server ---------------------------------------------------


async def migrate_slack(prefix: str, journal: Path, url: str = canaries.SLACK_URL, **options: Any) -> Any:
    every = MigrationOptions(prefix=prefix, also_core_slack_webhook=True, **options)
    return await run_migration([secret("SLACK_WEBHOOK_URL", url)], every, journal_path=journal)


async def test_apply_saves_the_core_block_beside_ours_with_the_same_url(prefix: str, tmp_path: Path) -> None:
    plan, report = await migrate_slack(prefix, tmp_path / "journal.jsonl")
    assert report is not None and not report.problems
    assert [(o.entry.block_type, o.result) for o in report.outcomes] == [
        ("slack-webhook-url", Result.CREATED),
        ("slack-webhook", Result.CREATED),
    ]
    name = f"{prefix}slack-webhook-url"
    assert (await aload_block(SlackWebhook, name)).url.get_secret_value() == canaries.SLACK_URL
    assert (await aload_block(SlackWebhookURL, name)).get() == canaries.SLACK_URL
    assert [(e.block_type, e.block_name, e.action) for e in read_journal(tmp_path / "journal.jsonl")] == [
        ("slack-webhook-url", name, "created"),
        ("slack-webhook", name, "created"),
    ]


async def test_a_second_run_finds_both_blocks_unchanged(prefix: str, tmp_path: Path) -> None:
    await migrate_slack(prefix, tmp_path / "first.jsonl")
    plan, report = await migrate_slack(prefix, tmp_path / "second.jsonl")
    assert [entry.action for entry in plan.entries] == [Action.UNCHANGED, Action.UNCHANGED]
    assert report is not None and report.journal is None  # nothing written, so no journal


async def test_overwrite_replaces_a_core_block_holding_another_url(prefix: str, tmp_path: Path) -> None:
    await asave_block(SlackWebhook(url=OTHER_URL), f"{prefix}slack-webhook-url")
    _, report = await migrate_slack(prefix, tmp_path / "journal.jsonl", on_conflict=OnConflict.OVERWRITE)
    assert report is not None and [o.result for o in report.outcomes] == [Result.CREATED, Result.UPDATED]
    saved = await aload_block(SlackWebhook, f"{prefix}slack-webhook-url")
    assert saved.url.get_secret_value() == canaries.SLACK_URL


async def test_rollback_removes_the_core_block_too(prefix: str, tmp_path: Path) -> None:
    await migrate_slack(prefix, tmp_path / "journal.jsonl")
    report = await rollback_migration(read_journal(tmp_path / "journal.jsonl"))
    assert [(step.entry.block_type, step.action) for step in report.steps] == [
        ("slack-webhook-url", RollbackAction.DELETE),
        ("slack-webhook", RollbackAction.DELETE),
    ]
    for block_class in (SlackWebhookURL, SlackWebhook):
        with pytest.raises(ValueError):
            await aload_block(block_class, f"{prefix}slack-webhook-url")


# --- the CLI flag -------------------------------------------------------------------------


@pytest.fixture
def slack_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[context.secrets]\nSLACK_WEBHOOK_URL = "{canaries.SLACK_URL}"\n')
    return path


def test_cli_dry_run_json_plans_the_core_block_without_the_url(tmp_path: Path, slack_config: Path, prefix: str) -> None:
    args = ("--config", str(slack_config), "--prefix", prefix, "--also-core-slack-webhook", "--dry-run")
    result = migrate(tmp_path, *args, "--format", "json")  # migrate() checks the output for the URL
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["plan"]
    assert [(entry["block_type"], entry["block_name"], entry["action"]) for entry in entries] == [
        ("slack-webhook-url", f"{prefix}slack-webhook-url", "create"),
        ("slack-webhook", f"{prefix}slack-webhook-url", "create"),
    ]


def test_cli_check_counts_a_missing_core_block_as_drift(tmp_path: Path, slack_config: Path, prefix: str) -> None:
    common = ("--config", str(slack_config), "--prefix", prefix)
    assert migrate(tmp_path, *common).returncode == 0  # only our block, without the flag
    assert migrate(tmp_path, *common, "--check").returncode == 0
    drifted = migrate(tmp_path, *common, "--also-core-slack-webhook", "--check")
    assert drifted.returncode == 1 and "Check, nothing written: 1 create, 1 unchanged" in drifted.stdout
    assert migrate(tmp_path, *common, "--also-core-slack-webhook").returncode == 0
    assert migrate(tmp_path, *common, "--also-core-slack-webhook", "--check").returncode == 0
