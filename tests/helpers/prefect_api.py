"""Reading the test server's state, to check what a command wrote (or did not write)."""

from __future__ import annotations

import asyncio

from prefect.client.orchestration import get_client


async def _block_document_ids() -> set[str]:
    ids: set[str] = set()
    async with get_client() as client:
        while page := await client.read_block_documents(include_secrets=False, offset=len(ids), limit=200):
            ids.update(str(document.id) for document in page)
    return ids


def block_document_ids() -> set[str]:
    """The ids of every block document on the server (call it outside an event loop)."""
    return asyncio.run(_block_document_ids())
