"""The Prefect event each check of a saved block emits, for Automations to act on.

`prefect-secretblocks.credential.valid`, `.expiring`, `.invalid` or `.unknown`; its resource is the
block document (`prefect.resource.id` = `prefect.block-document.<id>`, as Prefect's own block
events name it), related to its block type; its payload is the check's result, which holds no value.
A block built in code and never saved has no document to name: its check emits nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Optional

from prefect_secretblocks._compat import saved_block_document
from prefect_secretblocks.checks.result import DEFAULT_EXPIRES_WITHIN, CredentialCheck

if TYPE_CHECKING:
    from prefect.blocks.core import Block

EVENT_PREFIX = "prefect-secretblocks.credential"


def report_check(block: Block, check: CredentialCheck, expires_within: Optional[timedelta] = None) -> CredentialCheck:
    """Emit the check's event when `block` is a saved one, and return the check."""
    window = DEFAULT_EXPIRES_WITHIN if expires_within is None else expires_within
    document = saved_block_document(block)
    if document is not None:
        emit_check_event(check, document[0], document[1], block.get_block_type_slug(), window)
    return check


def emit_check_event(
    check: CredentialCheck, document_id: object, block_name: str, block_type: str, expires_within: timedelta
) -> None:
    """`prefect-secretblocks.credential.<verdict>` about the block document `document_id`."""
    from prefect.events import emit_event

    verdict = check.verdict(expires_within)
    emit_event(
        event=f"{EVENT_PREFIX}.{verdict.value}",
        resource={"prefect.resource.id": f"prefect.block-document.{document_id}", "prefect.resource.name": block_name},
        related=[{"prefect.resource.id": f"prefect.block-type.{block_type}", "prefect.resource.role": "block-type"}],
        payload={**check.to_dict(), "verdict": verdict.value, "expires_within_days": expires_within.days},
    )
