"""`migrate --check-credentials`: ask each service about the credentials a plan would save, before anything is written.

Each planned block of a checkable type (`GitHubToken`, `SlackWebhookURL`, `TwitterCredentials`,
prefect-aws `AwsCredentials`) is checked as it stands in the plan, not yet saved (so no event is
emitted); an entry whose credential is not valid gets a note (`credential invalid: no_service`).
The plan is otherwise unchanged: the migration still writes what it planned.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Optional

from prefect_secretblocks.checks.result import DEFAULT_EXPIRES_WITHIN, CredentialCheck, Verdict
from prefect_secretblocks.exceptions import MissingExtraError

if TYPE_CHECKING:
    from prefect.blocks.core import Block

    from prefect_secretblocks.migration.plan import MigrationPlan, PlannedBlock


async def check_planned_credentials(plan: MigrationPlan, concurrency: int = 8) -> MigrationPlan:
    """The plan, each entry whose credential is not valid noted with the verdict and the service's reason."""
    limit = asyncio.Semaphore(concurrency)

    async def review(entry: PlannedBlock) -> PlannedBlock:
        async with limit:
            check = await _check(entry.block) if entry.block is not None else None
        verdict = check.verdict(DEFAULT_EXPIRES_WITHIN) if check is not None else Verdict.VALID
        if check is None or verdict is Verdict.VALID:
            return entry
        note = f"credential {verdict.value}" + (f": {check.reason}" if check.reason else "")
        return dataclasses.replace(entry, note="; ".join(filter(None, [entry.note, note])))

    entries = await asyncio.gather(*(review(entry) for entry in plan.entries))
    return dataclasses.replace(plan, entries=tuple(entries))


async def _check(block: Block) -> Optional[CredentialCheck]:
    """The block's check, or None for a block of a type no check knows."""
    from prefect_secretblocks.blocks import GitHubToken, SlackWebhookURL, TwitterCredentials

    try:
        if isinstance(block, (GitHubToken, SlackWebhookURL, TwitterCredentials)):
            return await block.acheck()
        if block.get_block_type_slug() == "aws-credentials":
            from prefect_secretblocks.checks.aws import acheck_aws_credentials

            return await acheck_aws_credentials(block)  # type: ignore[arg-type]
    except MissingExtraError:  # TwitterCredentials without tweepy: not asked
        return None
    return None
