"""Loaded secrets are masked in Prefect's logs, including the run logs sent to the API."""

from __future__ import annotations

import logging

import pytest
from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.logging.handlers import APILogHandler

from prefect_secretblocks import GitHubToken, SlackWebhookURL
from prefect_secretblocks.redaction import MASK, OPT_OUT_VARIABLE, SecretRedactingFilter, mask_secrets, register_secrets

CANARY_TOKEN = "ghp_canaryREDACTcanaryREDACTcanary123456"
CANARY_URL = "https://hooks.slack.com/services/TCANARY01/BCANARY01/canaryRedactPath0123"


def test_mask_secrets_replaces_every_occurrence() -> None:
    assert mask_secrets("a canary-value b canary-value", ["canary-value"]) == f"a {MASK} b {MASK}"


def test_mask_secrets_masks_a_longer_secret_whole_before_a_shorter_one_inside_it() -> None:
    assert mask_secrets("xx-canary-long", ["canary", "xx-canary-long"]) == MASK


def test_short_values_are_not_masked() -> None:
    assert mask_secrets("port 80", ["80"]) == "port 80"


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("prefect.flow_runs", logging.INFO, __file__, 1, msg, args, None)


def test_filter_masks_message_arguments() -> None:
    register_secrets(["canary-filter-args-01"])
    record = _record("token is %s", "canary-filter-args-01")
    SecretRedactingFilter().filter(record)
    assert record.getMessage() == f"token is {MASK}"


def test_filter_masks_formatted_exceptions() -> None:
    register_secrets(["canary-filter-exc-02"])
    try:
        raise ValueError("bad canary-filter-exc-02")
    except ValueError:
        record = logging.LogRecord("prefect", logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info())
    SecretRedactingFilter().filter(record)
    assert "canary-filter-exc-02" not in logging.Formatter().format(record)
    assert MASK in record.exc_text


def test_opt_out_setting_disables_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(OPT_OUT_VARIABLE, "false")
    register_secrets(["canary-opted-out-03"])
    record = _record("value canary-opted-out-03")
    SecretRedactingFilter().filter(record)
    assert "canary-opted-out-03" in record.getMessage()


async def _run_logs(flow_run_id) -> list[str]:
    await APILogHandler.aflush()
    async with get_client() as client:
        logs = await client.read_logs(
            log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])), limit=200, offset=0
        )
    return [log.message for log in logs]


async def test_flow_run_logs_in_the_api_show_only_the_mask_for_a_loaded_secret() -> None:
    await GitHubToken(token=CANARY_TOKEN).asave("redaction-token", overwrite=True)
    await SlackWebhookURL(url=CANARY_URL).asave("redaction-slack", overwrite=True)

    @flow
    def logs_its_secrets_by_mistake() -> str:
        logger = get_run_logger()
        token = GitHubToken.load("redaction-token").get()
        logger.info("token: %s", token)
        logger.warning(f"url: {SlackWebhookURL.load('redaction-slack').get()}")
        try:
            raise RuntimeError(f"clone failed for {token}")
        except RuntimeError:
            logger.exception("clone error")
        from prefect.runtime import flow_run

        return flow_run.id

    flow_run_id = logs_its_secrets_by_mistake()
    messages = "\n".join(await _run_logs(flow_run_id))
    assert "token: " + MASK in messages and "url: " + MASK in messages
    assert CANARY_TOKEN not in messages and CANARY_URL not in messages
    assert "canaryREDACT" not in messages
