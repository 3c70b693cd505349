"""Type names the per-major modules share."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:
    from prefect.blocks.core import Block

BlockT = TypeVar("BlockT", bound="Block")
#: A flow or task state hook: `hook(flow_or_task, flow_run_or_task_run, state)`.
StateHook = Callable[[Any, Any, Any], Awaitable[None]]
R = TypeVar("R")


def missing_private_name(dotted_name: str) -> str:
    """The error for a Prefect release that no longer has a private name this package uses."""
    import prefect

    return (
        f"prefect-secretblocks uses {dotted_name}, which Prefect {prefect.__version__} does not have: "
        "install a Prefect release within this package's supported range (see its README)"
    )
