"""Prefect's own generic lookup finds our block classes by slug, as the server and its CLI do.

`Block.load("github-token/NAME")` is how Prefect itself turns a saved block into its class:
Automations' notification actions, `prefect block inspect`, nested block references and user
code. It must work in a process that never imported this package by name, so each check runs
in a fresh interpreter, outside the checkout (whose egg-info would shadow the installed
package's entry points).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from tests import canaries

BLOCKS = {
    "github-token": GitHubToken(token=canaries.GITHUB_TOKEN),
    "slack-webhook-url": SlackWebhookURL(url=canaries.SLACK_URL),
    "twitter-api-credentials": TwitterCredentials(**canaries.TWITTER),
}

# Loads through `prefect.blocks.core.Block` only: this package is never named.
_GENERIC_LOAD = """
import asyncio, json, sys
from prefect.blocks.core import Block
slug, name, mode = sys.argv[1:4]
if mode == "async":
    async def aload():
        # Prefect 2 has no `aload`: its `load`, called in async code, returns a coroutine.
        return await getattr(Block, "aload", Block.load)(f"{slug}/{name}")
    block = asyncio.run(aload())
else:
    block = Block.load(f"{slug}/{name}")
print(json.dumps({"class": f"{type(block).__module__}.{type(block).__name__}", "value": block.get()}))
"""


def _generic_load(slug: str, name: str, mode: str, cwd: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _GENERIC_LOAD, slug, name, mode],
        env={**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-1500:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("slug", BLOCKS)
def test_block_load_by_slug_finds_our_class_in_a_process_that_never_imported_us(
    slug: str, mode: str, tmp_path: Path
) -> None:
    block = BLOCKS[slug]
    block.save(f"dispatch-{slug}", overwrite=True)
    loaded = _generic_load(slug, f"dispatch-{slug}", mode, cwd=tmp_path)
    assert loaded == {"class": f"{type(block).__module__}.{type(block).__name__}", "value": block.get()}
