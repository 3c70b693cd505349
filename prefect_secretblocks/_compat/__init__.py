"""Every difference between Prefect 2 and Prefect 3 that this package meets, in one place.

Prefect 2 builds its blocks on the `pydantic.v1` API (also when pydantic 2 is installed) and
makes `Block.load`/`save` "sync compatible" (awaitable in async code); Prefect 3 builds them
on pydantic 2 and has `aload`/`asave` and `async_dispatch` next to the sync methods. Each major
has its own module (`prefect2`, `prefect3`) with the same names; this package re-exports the
installed major's. Type checkers read the Prefect 3 module (`TYPE_CHECKING`), so static types are
those of the newest major. The rest of the package imports the pydantic names and these helpers
from here, never from pydantic or from Prefect's internals directly, so no other module checks the
Prefect version, and every private Prefect name this package uses is listed in
`PRIVATE_PREFECT_NAMES` (a test imports each and names the Prefect version when one is gone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import prefect
from packaging.version import Version

PREFECT_VERSION = Version(prefect.__version__)
PREFECT_2 = PREFECT_VERSION.major == 2

# Each major's module lists the same names in its `__all__` (tests/test_compat.py checks it).
if TYPE_CHECKING or not PREFECT_2:
    from prefect_secretblocks._compat.prefect3 import *
else:
    from prefect_secretblocks._compat.prefect2 import *

if TYPE_CHECKING:
    from prefect.blocks.core import Block

# Keys of a block's dumped data that are block metadata, not field values.
_METADATA_KEYS = ("block_type_slug",)


def block_data(block: Block, include_secrets: bool) -> dict[str, Any]:
    """The data Prefect stores for a block (what `Block.save` sends), as JSON-ready values."""
    data = model_data(block, mode="json", include_secrets=include_secrets)
    for key in _METADATA_KEYS:
        data.pop(key, None)
    # A field left at its None default is not sent, as the Prefect UI does not send it:
    # prefect-bitbucket's `username` validator fails on an explicit None, so a
    # BitBucketCredentials saved with `username: null` could not be loaded back.
    defaults = optional_field_defaults(type(block))
    return {key: value for key, value in data.items() if value is not None or key not in defaults}


__all__ = [
    "CORE_SLACK_WEBHOOK_HOSTS",
    "PREFECT_2",
    "PREFECT_VERSION",
    "PRIVATE_PREFECT_NAMES",
    "BlockCompat",
    "Field",
    "SecretStr",
    "ValidationError",
    "aload_block",
    "aregister_block_type",
    "asave_block",
    "async_dispatch",
    "block_data",
    "core_secret_get",
    "core_secret_value",
    "embedded_api_settings",
    "error_details",
    "field_validator",
    "http_url",
    "model_data",
    "model_json",
    "optional_field_defaults",
    "required_fields",
    "run_coro_as_sync",
    "save_concurrency",
    "saved_block_document",
    "secret_schema_field",
    "state_hook",
    "validate_model",
]
