"""Check every saved block of the checkable types (or the named ones) concurrently: `prefect-secretblocks check`.

Three steps: list the saved blocks of each checkable type (names and ids, without their secrets),
select the ones asked for, then load and check each (`concurrency` at a time). Each check of a
saved block emits its Prefect event (`events.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx

from prefect_secretblocks._compat import ValidationError, aload_block, save_concurrency
from prefect_secretblocks.checks.events import report_check
from prefect_secretblocks.checks.result import DEFAULT_EXPIRES_WITHIN, CheckStatus, CredentialCheck, Verdict
from prefect_secretblocks.exceptions import InvalidStoredBlock, MissingExtraError, UnknownBlock

if TYPE_CHECKING:
    from prefect.blocks.core import Block
    from prefect.client.orchestration import PrefectClient

#: The block types a check knows how to ask about, in the order reports list them.
CHECKABLE_BLOCK_TYPES = ("github-token", "slack-webhook-url", "twitter-api-credentials", "aws-credentials")
DEFAULT_CHECK_CONCURRENCY = 8
_SERVICES = {"github-token": "GitHub", "slack-webhook-url": "Slack", "twitter-api-credentials": "Twitter"}


@dataclass(frozen=True)
class SavedBlock:
    block_type: str
    block_name: str
    block_document_id: UUID


@dataclass(frozen=True)
class SavedBlockCheck:
    """One saved block and what its check found."""

    block: SavedBlock
    check: CredentialCheck
    verdict: Verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "block_type": self.block.block_type,
            "block_name": self.block.block_name,
            "block_document_id": str(self.block.block_document_id),
            "verdict": self.verdict.value,
            **self.check.to_dict(),
        }


@dataclass(frozen=True)
class CheckReport:
    """Every check of one run; `failing` are the invalid and expiring ones."""

    checks: tuple[SavedBlockCheck, ...]
    expires_within: timedelta

    @property
    def failing(self) -> tuple[SavedBlockCheck, ...]:
        return tuple(check for check in self.checks if check.verdict in (Verdict.INVALID, Verdict.EXPIRING))

    def summary(self) -> dict[str, int]:
        return {verdict.value: sum(check.verdict is verdict for check in self.checks) for verdict in Verdict}

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": [check.to_dict() for check in self.checks],
            "summary": self.summary(),
            "expires_within_days": self.expires_within.days,
        }


async def check_saved_blocks(
    names: Sequence[str] = (),
    expires_within: timedelta = DEFAULT_EXPIRES_WITHIN,
    concurrency: int = DEFAULT_CHECK_CONCURRENCY,
) -> CheckReport:
    """
    Check the saved blocks of the checkable types: all of them, or those `names` name.

    Args:
        names: Block names (`NAME`, every checkable type's block of that name) or `TYPE_SLUG/NAME`.
        expires_within: A valid credential that expires sooner is `expiring`.
        concurrency: Checks in flight at once.

    Raises:
        UnknownBlock: Some of `names` match no saved block of a checkable type.
    """
    from prefect.client.orchestration import get_client

    async with get_client() as client:
        saved = await list_saved_blocks(client)
    selected = select_blocks(saved, names)
    limit = asyncio.Semaphore(save_concurrency(concurrency))

    async def check_one(block: SavedBlock) -> SavedBlockCheck:
        async with limit:
            check = await _check_saved_block(block, expires_within)
        return SavedBlockCheck(block=block, check=check, verdict=check.verdict(expires_within))

    return CheckReport(checks=tuple(await asyncio.gather(*map(check_one, selected))), expires_within=expires_within)


async def list_saved_blocks(client: PrefectClient) -> list[SavedBlock]:
    """The saved blocks of every checkable type, read without their secrets; a type not registered has none."""
    saved: list[SavedBlock] = []
    for slug in CHECKABLE_BLOCK_TYPES:
        try:
            documents = await client.read_block_documents_by_type(slug, include_secrets=False)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                continue
            raise
        saved.extend(SavedBlock(slug, document.name, document.id) for document in documents if document.name)
    return sorted(saved, key=lambda block: (CHECKABLE_BLOCK_TYPES.index(block.block_type), block.block_name))


def select_blocks(saved: Sequence[SavedBlock], names: Sequence[str]) -> list[SavedBlock]:
    """The blocks `names` name (`NAME` or `TYPE_SLUG/NAME`), in `saved`'s order; all of them for no names."""
    if not names:
        return list(saved)
    wanted = set(names)
    selected = [block for block in saved if {block.block_name, f"{block.block_type}/{block.block_name}"} & wanted]
    found = {name for block in selected for name in (block.block_name, f"{block.block_type}/{block.block_name}")}
    unknown = tuple(dict.fromkeys(name for name in names if name not in found))
    if unknown:
        raise UnknownBlock(names=unknown, block_types=CHECKABLE_BLOCK_TYPES)
    return selected


async def _check_saved_block(saved: SavedBlock, expires_within: timedelta) -> CredentialCheck:
    """Load the block and check it; a block that does not load is invalid, one that cannot be asked unknown."""
    service = _SERVICES.get(saved.block_type, "AWS STS")
    try:
        block = await aload_block(block_class(saved.block_type), saved.block_name)
        if saved.block_type == "aws-credentials":
            from prefect_secretblocks.checks.aws import acheck_aws_credentials

            return report_check(block, await acheck_aws_credentials(block), expires_within)  # type: ignore[arg-type]
        return await block.acheck(expires_within)  # type: ignore[attr-defined]
    except InvalidStoredBlock as exc:
        reason = f"the saved data has no valid {exc.field}"
        return CredentialCheck(status=CheckStatus.INVALID, service=service, reason=reason)
    except ValidationError:  # another collection's block (AwsCredentials) whose saved data fails its validation
        return CredentialCheck(status=CheckStatus.INVALID, service=service, reason="the saved data does not validate")
    except MissingExtraError:
        return CredentialCheck(status=CheckStatus.UNKNOWN, service=service, reason="needs the twitter extra (tweepy)")


def block_class(slug: str) -> type[Block]:
    """The class of a checkable block type (prefect-aws's imported here, where it is used)."""
    if slug == "aws-credentials":
        from prefect_aws import AwsCredentials

        return AwsCredentials
    from prefect_secretblocks.blocks import GitHubToken, SlackWebhookURL, TwitterCredentials

    classes: dict[str, type[Block]] = {
        "github-token": GitHubToken,
        "slack-webhook-url": SlackWebhookURL,
        "twitter-api-credentials": TwitterCredentials,
    }
    return classes[slug]
