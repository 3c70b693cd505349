"""Registration with the real CLI, masked API reads, loading in sync and async flows, clear errors."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect import flow
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

import prefect_secretblocks
from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import model_json
from tests import canaries
from tests.canaries import assert_no_leak

EXPECTED_TYPES = {
    "github-token": ("GitHub Token", {"token"}),
    "slack-webhook-url": ("Slack Webhook URL", {"url"}),
    "twitter-api-credentials": (
        "Twitter API Credentials",
        {"api_key", "api_secret", "access_token", "access_token_secret", "bearer_token"},
    ),
}
BLOCKS = {
    "github-token": GitHubToken(token=canaries.GITHUB_TOKEN),
    "slack-webhook-url": SlackWebhookURL(url=canaries.SLACK_URL),
    "twitter-api-credentials": TwitterCredentials(**canaries.TWITTER),
}


def test_the_package_exposes_exactly_its_three_blocks() -> None:
    blocks = {name for name, member in inspect.getmembers(prefect_secretblocks) if Block.is_block_class(member)}
    assert blocks == {"GitHubToken", "SlackWebhookURL", "TwitterCredentials"}


async def test_prefect_block_register_registers_exactly_the_three_types() -> None:
    result = subprocess.run(
        # The `prefect` console script of this venv (Prefect 2 has no `python -m prefect`).
        [str(Path(sys.executable).with_name("prefect")), "block", "register", "-m", "prefect_secretblocks"],
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-1000:] + result.stderr[-1000:]
    assert "Successfully registered 3 blocks" in result.stdout
    async with get_client() as client:
        for slug, (name, secret_fields) in EXPECTED_TYPES.items():
            block_type = await client.read_block_type_by_slug(slug)
            schema = await client.get_most_recent_block_schema_for_block_type(block_type.id)
            assert block_type.name == name
            assert set(schema.fields["secret_fields"]) == secret_fields


@pytest.mark.parametrize("slug", BLOCKS)
async def test_api_reads_without_include_secrets_see_the_mask(slug: str) -> None:
    await BLOCKS[slug].asave(f"masked-{slug}", overwrite=True)
    async with get_client() as client:
        document = await client.read_block_document_by_name(f"masked-{slug}", slug, include_secrets=False)
    secret_fields = {field for field in EXPECTED_TYPES[slug][1] if document.data.get(field) is not None}
    assert secret_fields and all(set(document.data[field]) == {"*"} for field in secret_fields)
    assert_no_leak(model_json(document), f"the API read of {slug}")


@pytest.mark.parametrize("slug", BLOCKS)
def test_a_sync_flow_loads_the_block(slug: str) -> None:
    BLOCKS[slug].save(f"sync-flow-{slug}", overwrite=True)
    block_class = type(BLOCKS[slug])

    @flow
    def loads() -> object:
        return block_class.load(f"sync-flow-{slug}").get()

    assert loads() == BLOCKS[slug].get()


@pytest.mark.parametrize("slug", BLOCKS)
async def test_an_async_flow_aloads_the_block(slug: str) -> None:
    await BLOCKS[slug].asave(f"async-flow-{slug}", overwrite=True)
    block_class = type(BLOCKS[slug])

    @flow
    async def aloads() -> object:
        return (await block_class.aload(f"async-flow-{slug}")).get()

    assert await aloads() == BLOCKS[slug].get()


async def test_saving_over_an_existing_name_without_overwrite_is_refused() -> None:
    await BLOCKS["github-token"].asave("taken-name", overwrite=True)
    with pytest.raises(ValueError, match="overwrite=True"):
        await BLOCKS["github-token"].asave("taken-name")


async def test_loading_a_missing_name_names_the_block_type_and_name() -> None:
    with pytest.raises(ValueError) as caught:
        await GitHubToken.aload("no-such-block")
    assert "no-such-block" in str(caught.value) and "github-token" in str(caught.value)
