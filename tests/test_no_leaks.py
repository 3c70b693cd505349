"""No secret leaks: canary values in every secret field, driven through every public path.

One test per channel, so a failure says where the leak is. Each channel is checked for the
whole canary and for any 8-character slice of it (`tests/canaries.py`).
"""

from __future__ import annotations

import json
import logging
import os
import pty
import subprocess
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from prefect import flow, get_run_logger
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import ValidationError, error_details, model_data, model_json
from prefect_secretblocks.exceptions import NotificationFailed
from prefect_secretblocks.migration.journal import digest_key_path

from . import canaries
from .canaries import assert_no_leak
from .helpers.cli import run_cli

BLOCKS: dict[str, Callable[[], Block]] = {
    "github-token": lambda: GitHubToken(token=canaries.GITHUB_TOKEN),
    "slack-webhook-url": lambda: SlackWebhookURL(url=canaries.SLACK_URL),
    "twitter-api-credentials": lambda: TwitterCredentials(**canaries.TWITTER, bearer_token=canaries.TWITTER_BEARER),
}
# Inputs each block rejects, with a canary inside: a bad format and a wrong type.
REJECTED: dict[str, list[dict[str, Any]]] = {
    "github-token": [{"token": "not-a-token-" + canaries.GITHUB_TOKEN}, {"token": {"nested": canaries.GITHUB_TOKEN}}],
    "slack-webhook-url": [{"url": "ftp://" + canaries.SLACK_PATH}, {"url": [canaries.SLACK_URL]}],
    "twitter-api-credentials": [{**canaries.TWITTER, "api_key": {"k": canaries.TWITTER["api_key"]}}],
}


def formatted(exc: BaseException) -> str:
    """The exception's message, repr and full traceback, as a user would see them."""
    return "\n".join([str(exc), repr(exc), *traceback.format_exception(type(exc), exc, exc.__traceback__)])


@pytest.mark.parametrize("slug", BLOCKS)
def test_repr_and_str_do_not_leak(slug: str) -> None:
    block = BLOCKS[slug]()
    assert_no_leak(f"{block!r} {block!s} {block.__dict__!r}", f"repr/str of {slug}")


@pytest.mark.parametrize("slug", BLOCKS)
def test_model_dump_does_not_leak(slug: str) -> None:
    block = BLOCKS[slug]()
    assert_no_leak(str(model_data(block)) + str(model_data(block, mode="json")), f"model_dump of {slug}")


@pytest.mark.parametrize("slug", BLOCKS)
def test_model_dump_json_does_not_leak(slug: str) -> None:
    assert_no_leak(model_json(BLOCKS[slug]()), f"model_dump_json of {slug}")


@pytest.mark.parametrize(("slug", "data"), [(slug, data) for slug, inputs in REJECTED.items() for data in inputs])
def test_validation_errors_do_not_leak(slug: str, data: dict[str, Any]) -> None:
    block_class = type(BLOCKS[slug]())
    with pytest.raises(ValidationError) as caught:
        block_class(**data)
    assert_no_leak(formatted(caught.value), f"validation error of {slug}")
    assert_no_leak(json.dumps(error_details(caught.value), default=str), "errors()")


@pytest.mark.parametrize("slug", BLOCKS)
async def test_api_reads_without_include_secrets_do_not_leak(slug: str) -> None:
    await BLOCKS[slug]().asave(f"leak-api-{slug}", overwrite=True)
    async with get_client() as client:
        document = await client.read_block_document_by_name(f"leak-api-{slug}", slug, include_secrets=False)
        listed = await client.read_block_documents_by_type(slug, include_secrets=False)
    assert_no_leak(model_json(document) + "".join(model_json(d) for d in listed), f"API read of {slug}")


@pytest.mark.parametrize("slug", BLOCKS)
async def test_save_load_and_aload_do_not_leak(slug: str, caplog: pytest.LogCaptureFixture, capfd) -> None:
    caplog.set_level(logging.DEBUG)
    block = BLOCKS[slug]()
    await block.asave(f"leak-load-{slug}", overwrite=True)
    loaded = await type(block).aload(f"leak-load-{slug}")
    loaded_sync = await asyncio_to_thread(type(block).load, f"leak-load-{slug}")
    out, err = capfd.readouterr()
    assert_no_leak(f"{loaded!r}{loaded_sync!r}{caplog.text}{out}{err}", f"save/load/aload of {slug}")


async def asyncio_to_thread(function: Callable[..., Any], *args: Any) -> Any:
    import asyncio

    return await asyncio.to_thread(function, *args)


def test_notify_failures_do_not_leak(http_recorder_url: str) -> None:
    failing = SlackWebhookURL(url=f"{http_recorder_url}/status/404/services/{canaries.SLACK_PATH}")
    with pytest.raises(NotificationFailed) as rejected:
        failing.notify("hello")
    unreachable = SlackWebhookURL(url=f"http://127.0.0.1:9/services/{canaries.SLACK_PATH}")
    with pytest.raises(NotificationFailed) as refused:
        unreachable.notify("hello")
    assert_no_leak(formatted(rejected.value) + formatted(refused.value), "notify failures")


def test_flow_run_logs_of_a_flow_using_every_block_do_not_leak(http_recorder_url: str, capfd) -> None:
    GitHubToken(token=canaries.GITHUB_TOKEN).save("leak-flow-token", overwrite=True)
    SlackWebhookURL(url=f"{http_recorder_url}/services/{canaries.SLACK_PATH}").save("leak-flow-slack", overwrite=True)
    TwitterCredentials(**canaries.TWITTER).save("leak-flow-twitter", overwrite=True)

    @flow(log_prints=True)
    def uses_and_logs_its_secrets() -> str:
        logger = get_run_logger()
        token = GitHubToken.load("leak-flow-token")
        slack = SlackWebhookURL.load("leak-flow-slack")
        twitter = TwitterCredentials.load("leak-flow-twitter")
        slack.notify("deployed")
        logger.info("loaded %r %r %r", token, slack, twitter)
        logger.info("by mistake: %s %s %s", token.get(), slack.get(), twitter.get())
        print(f"printed by mistake: {token.get()}")
        from prefect.runtime import flow_run

        return flow_run.id

    flow_run_id = uses_and_logs_its_secrets()
    import asyncio

    async def read_logs() -> str:
        await APILogHandler.aflush()
        async with get_client() as client:
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200, offset=0
            )
        return "\n".join(log.message for log in logs)

    api_logs = asyncio.run(read_logs())
    out, err = capfd.readouterr()
    assert "by mistake" in api_logs
    assert_no_leak(api_logs, "flow run logs in the API")
    assert_no_leak(out + err, "flow run console output")


# --- the migration CLI ----------------------------------------------------------------------

CONFIG_WITH_CANARIES = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
SLACK_WEBHOOK_URL = "$CANARY_HOOK"
DB_PASSWORD = "{canaries.GENERIC}"
[context.secrets.AWS_CREDENTIALS]
ACCESS_KEY = "{canaries.AWS_ACCESS_KEY}"
SECRET_ACCESS_KEY = "{canaries.AWS_SECRET}"
[context.secrets.TWITTER_API_CREDENTIALS]
api_key = "{canaries.TWITTER["api_key"]}"
api_secret = "{canaries.TWITTER["api_secret"]}"
access_token = "{canaries.TWITTER["access_token"]}"
access_token_secret = "{canaries.TWITTER["access_token_secret"]}"
"""


@pytest.fixture
def canary_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG_WITH_CANARIES)
    return path


def migrate(tmp_path: Path, *args: str, stderr: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    environment = {"PREFECT_API_URL": PREFECT_API_URL.value(), "HOME": str(tmp_path), "CANARY_HOOK": canaries.SLACK_URL}
    return run_cli("migrate", *args, env=environment, stderr=stderr)


def test_migration_dry_run_text_output_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    result = migrate(tmp_path, "--config", str(canary_config), "--dry-run", "--prefix", "leak-dry-")
    assert result.returncode == 0, result.stderr[-300:]
    assert_no_leak(result.stdout + result.stderr, "migrate --dry-run output")


def test_migration_json_output_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    result = migrate(tmp_path, "--config", str(canary_config), "--format", "json", "--prefix", "leak-json-")
    assert result.returncode == 0, result.stderr[-300:]
    assert_no_leak(result.stdout + result.stderr, "migrate --format json output")


def test_migration_progress_bar_on_a_terminal_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    leader, follower = pty.openpty()
    terminal = bytearray()

    def drain() -> None:  # read while the CLI runs: a full terminal buffer would block it
        try:
            while chunk := os.read(leader, 65536):
                terminal.extend(chunk)
        except OSError:  # the terminal closes when the CLI exits
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        result = migrate(tmp_path, "--config", str(canary_config), "--prefix", "leak-tty-", stderr=follower)
    finally:
        os.close(follower)
    reader.join(timeout=30)
    os.close(leader)
    shown = terminal.decode(errors="replace")
    assert result.returncode == 0
    assert "Saving blocks" in shown  # the bar was really drawn
    assert_no_leak(result.stdout + shown, "migrate progress output on a terminal")


def test_migration_cli_errors_do_not_leak(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    # The AWS table misses SECRET_ACCESS_KEY, and another secret has a broken TOML value.
    config.write_text(f'[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "{canaries.AWS_ACCESS_KEY}"\n')
    shape_error = migrate(tmp_path, "--config", str(config))
    config.write_text(f'[context.secrets]\nDB_PASSWORD = "{canaries.GENERIC}\n')
    toml_error = migrate(tmp_path, "--config", str(config))
    assert shape_error.returncode == toml_error.returncode == 2
    assert_no_leak(shape_error.stderr + shape_error.stdout + toml_error.stderr + toml_error.stdout, "CLI errors")


def test_migration_writes_no_file_holding_a_secret(tmp_path: Path, canary_config: Path) -> None:
    result = migrate(tmp_path, "--config", str(canary_config), "--prefix", "leak-files-")
    assert result.returncode == 0
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path != canary_config]
    assert_no_leak("".join(path.read_text(errors="replace") for path in written), "files written by migrate")


def rollback(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("rollback", *args, env={"PREFECT_API_URL": PREFECT_API_URL.value(), "HOME": str(tmp_path)})


def test_migration_journal_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert (
        migrate(tmp_path, "--config", str(canary_config), "--prefix", "leak-jrnl-", "--journal", str(first)).returncode
        == 0
    )
    # The same names with other values, overwritten: the journal records the copies of the canaries too.
    other = tmp_path / "other.toml"
    other.write_text(CONFIG_WITH_CANARIES.replace("canary", "other"))
    replaced = migrate(
        tmp_path,
        "--config",
        str(other),
        "--prefix",
        "leak-jrnl-",
        "--on-conflict",
        "overwrite",
        "--journal",
        str(second),
    )
    assert replaced.returncode == 0, replaced.stderr[-300:]
    assert '"backed-up"' in second.read_text()
    assert_no_leak(first.read_text() + second.read_text() + replaced.stdout + replaced.stderr, "migrate journals")
    # Their digests of the data are keyed by a file under PREFECT_HOME (the test process's), never in a journal.
    journals, key = first.read_text() + second.read_text(), digest_key_path().read_text().strip()
    assert '"digest"' in journals and key not in journals and not list(tmp_path.rglob(".digest-key"))


def test_rollback_output_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    assert (
        migrate(
            tmp_path, "--config", str(canary_config), "--prefix", "leak-undo-", "--journal", str(journal)
        ).returncode
        == 0
    )
    outputs = [rollback(tmp_path, str(journal), "--dry-run"), rollback(tmp_path, str(journal), "--format", "json")]
    outputs.append(rollback(tmp_path, str(journal)))  # the second rollback: already undone
    assert [result.returncode for result in outputs] == [0, 0, 0]
    assert_no_leak("".join(result.stdout + result.stderr for result in outputs), "rollback output")


def test_check_output_does_not_leak(tmp_path: Path, canary_config: Path) -> None:
    missing = migrate(tmp_path, "--config", str(canary_config), "--prefix", "leak-check-", "--check")
    assert migrate(tmp_path, "--config", str(canary_config), "--prefix", "leak-check-").returncode == 0
    in_sync = migrate(
        tmp_path, "--config", str(canary_config), "--prefix", "leak-check-", "--check", "--format", "json"
    )
    assert (missing.returncode, in_sync.returncode) == (1, 0)
    assert_no_leak(missing.stdout + missing.stderr + in_sync.stdout + in_sync.stderr, "migrate --check output")
