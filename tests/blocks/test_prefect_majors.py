"""The blocks on either Prefect major: the pydantic API each one expects, `aload`/`anotify` in
async flows and plain scripts, and the same behaviour in sync and async code."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prefect import flow
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from tests import canaries
from tests.helpers.http_recorder import HttpRecorder

BLOCK_CLASSES = (GitHubToken, SlackWebhookURL, TwitterCredentials)


@pytest.mark.prefect2_only(reason="Prefect 2 builds blocks on the pydantic.v1 API")
@pytest.mark.parametrize("block_class", BLOCK_CLASSES, ids=lambda block_class: block_class.__name__)
def test_on_prefect_2_the_blocks_are_pydantic_v1_models(block_class: type) -> None:
    import pydantic.v1

    assert issubclass(block_class, pydantic.v1.BaseModel)


@pytest.mark.prefect3_only(reason="Prefect 3 builds blocks on the pydantic 2 API")
@pytest.mark.parametrize("block_class", BLOCK_CLASSES, ids=lambda block_class: block_class.__name__)
def test_on_prefect_3_the_blocks_are_pydantic_2_models(block_class: type) -> None:
    import pydantic

    assert issubclass(block_class, pydantic.BaseModel) and block_class.model_config["hide_input_in_errors"]


async def test_an_async_flow_aloads_a_slack_block_and_anotifies(slack_stand_in: HttpRecorder) -> None:
    await SlackWebhookURL(url=f"{slack_stand_in.url}/services/{canaries.SLACK_PATH}").asave(
        "majors-async-slack", overwrite=True
    )

    @flow
    async def notifies() -> None:
        slack = await SlackWebhookURL.aload("majors-async-slack")
        await slack.anotify("from an async flow", subject="async")

    await notifies()
    assert slack_stand_in.requests[-1].body == {"text": "*async*\nfrom an async flow"}


def test_a_sync_flow_notifies_with_the_sync_method(slack_stand_in: HttpRecorder) -> None:
    SlackWebhookURL(url=f"{slack_stand_in.url}/services/{canaries.SLACK_PATH}").save(
        "majors-sync-slack", overwrite=True
    )

    @flow
    def notifies() -> None:
        SlackWebhookURL.load("majors-sync-slack").notify("from a sync flow")

    notifies()
    assert slack_stand_in.requests[-1].body == {"text": "from a sync flow"}


PLAIN_SCRIPT = """
import asyncio
import sys

from prefect_secretblocks import GitHubToken, SlackWebhookURL

token, hook_url = sys.argv[1], sys.argv[2]
GitHubToken(token=token).save("plain-script-token", overwrite=True)
assert GitHubToken.load("plain-script-token").get() == token
SlackWebhookURL(url=hook_url).save("plain-script-slack", overwrite=True)
SlackWebhookURL.load("plain-script-slack").notify("sync from a script")


async def main() -> None:
    await GitHubToken(token=token).asave("plain-script-token-async", overwrite=True)
    assert (await GitHubToken.aload("plain-script-token-async")).get() == token
    await (await SlackWebhookURL.aload("plain-script-slack")).anotify("async from a script")


asyncio.run(main())
print("ok")
"""


def test_a_plain_script_saves_loads_and_notifies_sync_and_async(slack_stand_in: HttpRecorder, tmp_path: Path) -> None:
    script = tmp_path / "plain_script.py"
    script.write_text(textwrap.dedent(PLAIN_SCRIPT))
    before = len(slack_stand_in.requests)
    result = subprocess.run(
        [sys.executable, str(script), canaries.GITHUB_TOKEN, f"{slack_stand_in.url}/services/{canaries.SLACK_PATH}"],
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]
    texts = [request.body["text"] for request in slack_stand_in.requests[before:]]
    assert texts == ["sync from a script", "async from a script"]
