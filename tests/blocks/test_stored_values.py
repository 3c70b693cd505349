"""A saved block whose data fails the block's validation (saved from the Prefect UI or the raw
API, which do not run our validators) is refused at load with `InvalidStoredBlock`, on every load
path and either Prefect major: the error names the block type, the block name, the field, what
it expects and how to fix it, and never the value (nor does its traceback or any log).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import traceback
import warnings
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest
from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import BlockDocumentCreate
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import (
    ValidationError,
    aload_block,
    aregister_block_type,
    block_schema_checksum,
    validate_model,
)
from prefect_secretblocks.exceptions import InvalidStoredBlock
from tests import canaries
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli

BLOCK_CLASSES = {
    block_class.get_block_type_slug(): block_class for block_class in (GitHubToken, SlackWebhookURL, TwitterCredentials)
}
#: slug -> (the stored data, the field the error names, words of what it expects).
BAD_DATA: dict[str, tuple[dict[str, Any], str, str]] = {
    # Pasted with the line break a terminal copy keeps.
    "github-token": (
        {"token": canaries.GITHUB_TOKEN + "\n"},
        "token",
        "a GitHub token (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_",
    ),
    # The scheme left out.
    "slack-webhook-url": ({"url": f"hooks.slack.com/services/{canaries.SLACK_PATH}"}, "url", "an http(s) URL"),
    # Saved through the API with a misspelt key: the valid values must not show either.
    "twitter-api-credentials": (
        {
            **{key: value for key, value in canaries.TWITTER.items() if key != "access_token_secret"},
            "access_secret": canaries.TWITTER["access_token_secret"],
        },
        "access_token_secret",
        "a text value",
    ),
}


async def save_raw(slug: str, name: str, data: dict[str, Any]) -> None:
    """Save a block document as the UI or the raw API does: the registered schema, no validator run."""
    await aregister_block_type(BLOCK_CLASSES[slug])
    async with get_client() as client:
        block_type = await client.read_block_type_by_slug(slug)
        block_schema = await client.read_block_schema_by_checksum(block_schema_checksum(BLOCK_CLASSES[slug]))
        try:
            await client.delete_block_document((await client.read_block_document_by_name(name, slug)).id)
        except ObjectNotFound:  # nothing saved under the name yet
            pass
        await client.create_block_document(
            BlockDocumentCreate(name=name, data=data, block_type_id=block_type.id, block_schema_id=block_schema.id)
        )


def assert_refused_without_the_value(
    caught: pytest.ExceptionInfo[InvalidStoredBlock], slug: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    error = caught.value
    _, field, expected = BAD_DATA[slug]
    assert (error.block_type, error.block_name, error.field) == (slug, name, field)
    message = str(error)
    assert message.startswith(f"{slug} block {name!r} has no valid {field}")
    assert expected in message and "Prefect UI" in message and "migrate --on-conflict overwrite" in message
    assert isinstance(error, RuntimeError) and "\n" not in message
    assert error.__cause__ is None and error.__context__ is None
    shown = "".join(traceback.format_exception(type(error), error, error.__traceback__)) + caplog.text
    assert_no_leak(message + repr(error) + shown, f"the load error of a bad {slug} block, its traceback and logs")


SYNC_LOADS: dict[str, Callable[[str, str], object]] = {
    "BlockClass.load(name)": lambda slug, name: BLOCK_CLASSES[slug].load(name),
    "Block.load('slug/name')": lambda slug, name: Block.load(f"{slug}/{name}"),
}
ASYNC_LOADS: dict[str, Callable[[str, str], Awaitable[object]]] = {
    "await BlockClass.aload(name)": lambda slug, name: BLOCK_CLASSES[slug].aload(name),
    # Prefect 3's `Block.aload`; on Prefect 2, `Block.load` awaited.
    "await Block.aload('slug/name')": lambda slug, name: aload_block(Block, f"{slug}/{name}"),
}


@pytest.mark.parametrize("load", SYNC_LOADS)
@pytest.mark.parametrize("slug", BAD_DATA)
def test_a_sync_load_of_a_bad_saved_value_raises_our_error_without_the_value(
    slug: str, load: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    name = f"bad-sync-{slug}"
    asyncio.run(save_raw(slug, name, BAD_DATA[slug][0]))
    with pytest.raises(InvalidStoredBlock) as caught:
        SYNC_LOADS[load](slug, name)
    assert_refused_without_the_value(caught, slug, name, caplog)


@pytest.mark.parametrize("load", ASYNC_LOADS)
@pytest.mark.parametrize("slug", BAD_DATA)
async def test_an_async_load_of_a_bad_saved_value_raises_our_error_without_the_value(
    slug: str, load: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    name = f"bad-async-{slug}"
    await save_raw(slug, name, BAD_DATA[slug][0])
    with pytest.raises(InvalidStoredBlock) as caught:
        await ASYNC_LOADS[load](slug, name)
    assert_refused_without_the_value(caught, slug, name, caplog)


# Loads through `prefect.blocks.core.Block` only, in a process that never imported this package:
# Prefect imports it through its entry point in the middle of the load.
_FRESH_PROCESS_LOAD = """
import json, sys
from prefect.blocks.core import Block
try:
    Block.load(sys.argv[1])
except Exception as error:
    print(json.dumps({"class": f"{type(error).__module__}.{type(error).__name__}", "message": str(error)}))
"""


def test_block_load_by_slug_in_a_process_that_never_imported_us_raises_our_error(tmp_path: Path) -> None:
    asyncio.run(save_raw("github-token", "bad-fresh-process", BAD_DATA["github-token"][0]))
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS_LOAD, "github-token/bad-fresh-process"],
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
        cwd=tmp_path,  # outside the checkout, whose egg-info would shadow the installed entry points
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert_no_leak(result.stdout + result.stderr, "a fresh process's load error and output")
    error = json.loads(result.stdout.strip().splitlines()[-1])
    assert error["class"] == "prefect_secretblocks.exceptions.InvalidStoredBlock"
    assert error["message"].startswith("github-token block 'bad-fresh-process' has no valid token")


async def test_the_error_names_every_field_that_fails() -> None:
    await save_raw("twitter-api-credentials", "bad-all-fields", {"api_key": canaries.TWITTER["api_key"]})
    with pytest.raises(InvalidStoredBlock) as caught:
        await TwitterCredentials.aload("bad-all-fields")
    assert (caught.value.field, caught.value.more_fields) == ("api_secret", ("access_token", "access_token_secret"))
    assert "has no valid api_secret (nor access_token, access_token_secret)" in str(caught.value)


def test_validate_false_still_loads_a_block_missing_a_field_as_prefect_documents() -> None:
    # Prefect's way to load a block saved before a required field was added: None in the field.
    data, field, _ = BAD_DATA["twitter-api-credentials"]
    asyncio.run(save_raw("twitter-api-credentials", "missing-field-unvalidated", data))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        block = TwitterCredentials.load("missing-field-unvalidated", validate=False)
    assert getattr(block, field) is None and any("Could not fully load" in str(warning.message) for warning in caught)


def test_validate_false_still_refuses_a_value_that_is_there_but_not_valid(caplog: pytest.LogCaptureFixture) -> None:
    # Prefect itself fails there with a KeyError naming the field.
    asyncio.run(save_raw("github-token", "bad-unvalidated", BAD_DATA["github-token"][0]))
    with pytest.raises(InvalidStoredBlock) as caught:
        GitHubToken.load("bad-unvalidated", validate=False)
    assert_refused_without_the_value(caught, "github-token", "bad-unvalidated", caplog)


def test_validating_data_in_code_still_raises_pydantics_error() -> None:
    with pytest.raises(ValidationError):
        validate_model(GitHubToken, dict(BAD_DATA["github-token"][0]))


def test_the_fix_the_error_names_works_migrate_on_conflict_overwrite(tmp_path: Path) -> None:
    asyncio.run(save_raw("github-token", "fix-github-access-token", BAD_DATA["github-token"][0]))
    config = tmp_path / "config.toml"
    config.write_text(f'[context.secrets]\nGITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"\n')
    result = run_cli(
        "migrate",
        "--config",
        str(config),
        "--prefix",
        "fix-",
        "--on-conflict",
        "overwrite",
        env={"PREFECT_API_URL": PREFECT_API_URL.value(), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout[-1000:] + result.stderr[-1000:]
    assert_no_leak(result.stdout + result.stderr, "the output of migrate --on-conflict overwrite")
    assert GitHubToken.load("fix-github-access-token").get() == canaries.GITHUB_TOKEN
