"""Where secret values enter a Prefect process, and where Prefect words a run's state: the same on both majors.

- Every block, built in code or loaded (`load`, `aload`, the generic `Block.load("slug/name")`,
  nested blocks), goes through `Block.__init__` (pydantic 2 calls a model's own `__init__` when it
  validates data; pydantic.v1's `parse_obj` calls the class).
- A deployment's `{{ prefect.blocks.TYPE.NAME }}` reference is resolved from the block document's
  data, without a block: `PrefectClient.read_block_document(_by_name)`, which returns the document
  with its schema's `secret_fields` (and so do Prefect 3's `SyncPrefectClient` methods).
- A Failed or Crashed state's message is `prefect.states.format_exception(exc)`, looked up in that
  module each time `exception_to_failed_state`/`exception_to_crashed_state` run.

Each is a public name, wrapped once per process; tests/test_compat.py checks that each is there.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

#: The names wrapped; a test imports each on both majors.
WRAPPED_PREFECT_NAMES = (
    "prefect.blocks.core.Block.__init__",
    "prefect.client.orchestration.PrefectClient.read_block_document",
    "prefect.client.orchestration.PrefectClient.read_block_document_by_name",
    "prefect.states.format_exception",
)
_READS = ("read_block_document", "read_block_document_by_name")


def install_run_hooks(
    on_block: Callable[[Any], None], on_document: Callable[[Any], None], mask: Callable[[str], str]
) -> None:
    """Call `on_block` for each block built, `on_document` for each block document read, mask state messages."""
    _wrap_block_init(on_block)
    _wrap_document_reads(on_document)
    _wrap_state_messages(mask)


def _wrap_block_init(on_block: Callable[[Any], None]) -> None:
    from prefect.blocks.core import Block

    original = Block.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        on_block(self)

    Block.__init__ = __init__  # type: ignore[method-assign]


def _wrap_document_reads(on_document: Callable[[Any], None]) -> None:
    from prefect.client import orchestration

    _wrap_async_reads(orchestration.PrefectClient, on_document)
    sync_client = getattr(orchestration, "SyncPrefectClient", None)
    if sync_client is not None:  # Prefect 3 loads blocks in sync code with it
        _wrap_sync_reads(sync_client, on_document)


def _wrap_async_reads(client_class: type, on_document: Callable[[Any], None]) -> None:
    for name in _READS:
        original = getattr(client_class, name)

        @functools.wraps(original)
        async def read(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            document = await __original(*args, **kwargs)
            on_document(document)
            return document

        setattr(client_class, name, read)


def _wrap_sync_reads(client_class: type, on_document: Callable[[Any], None]) -> None:
    for name in _READS:
        original = getattr(client_class, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def read(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            document = __original(*args, **kwargs)
            on_document(document)
            return document

        setattr(client_class, name, read)


def _wrap_state_messages(mask: Callable[[str], str]) -> None:
    import prefect.states

    original = prefect.states.format_exception

    @functools.wraps(original)
    def format_exception(*args: Any, **kwargs: Any) -> str:
        return mask(original(*args, **kwargs))

    prefect.states.format_exception = format_exception
