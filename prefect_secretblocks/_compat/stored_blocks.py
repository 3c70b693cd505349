"""Which saved block a block class is validating while Prefect loads it: the same on both majors.

Every way Prefect loads a saved block, `GitHubToken.load("x")`, `aload`, and the generic
`Block.load("github-token/x")` that finds the class in Prefect's block registry, ends in
`Block._from_block_document(block_document)`, which validates `block_document.data` with the
block class (`model_validate` on Prefect 3, `parse_obj` on Prefect 2). The block class's own
code runs only from there on: on the generic path Prefect may even import this package only
then, inside that call, through its `prefect.collections` entry point. So the one place that can
name the saved block in its error is the validation itself, which is handed the document's data
alone: the document is the `block_document` of the Prefect frame that holds that very data.
Prefect 3's server holds it the same way when it loads a notification block for an automation.
"""

from __future__ import annotations

import inspect
from typing import Any, Optional

#: How many frames above the validating method Prefect's loader may be (its own `model_validate`,
#: a wrapper); the loader calls the validation directly today.
_MAX_FRAMES_UP = 6


#: A required field absent from the data: pydantic 2's error type, and pydantic.v1's.
_MISSING = ("missing", "value_error.missing")


def refused_stored_block(data: Any, failures: list[dict[str, Any]]) -> Optional[str]:
    """
    The name of the saved block whose `data` Prefect is loading and that fails with `failures`
    (`error_details`), or None to let pydantic's error through.

    None when `data` is no saved block's (a block built in code, or `model_validate` called by a
    user). None too for a load asked for with `validate=False` when the fields are only missing:
    Prefect then builds the block with None in them, as it documents for a block saved before a
    field was added. A value that is there but not valid is refused either way: Prefect's
    `validate=False` fails on it with a `KeyError` naming the field.
    """
    frame = inspect.currentframe()
    try:
        for _ in range(_MAX_FRAMES_UP + 1):
            frame = frame.f_back if frame is not None else None
            if frame is None:
                return None
            document = frame.f_locals.get("block_document")
            if getattr(document, "data", None) is data:
                caller = frame.f_back
                validate = caller is None or caller.f_locals.get("validate", True) is not False
                if not validate and all(failure["type"] in _MISSING for failure in failures):
                    return None
                return str(document.name or document.id)  # type: ignore[union-attr]
        return None
    finally:
        del frame  # a frame kept in a local would keep every local of the stack alive
