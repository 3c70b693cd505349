"""Prefect 2.20: blocks on the `pydantic.v1` API, `load`/`save` made awaitable by `sync_compatible`."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Awaitable, Coroutine, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Literal

# pydantic>=2 is required (pyproject), so Prefect 2's blocks are always on `pydantic.v1`.
from prefect.utilities.asyncutils import run_sync as run_coro_as_sync
from prefect.utilities.asyncutils import sync_compatible
from pydantic.v1 import Field, SecretField, SecretStr, ValidationError
from pydantic.v1 import validator as _v1_validator
from pydantic.v1.json import custom_pydantic_encoder

from prefect_secretblocks._compat.stored_blocks import refused_stored_block
from prefect_secretblocks._compat.types import BlockT, R, StateHook

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.blocks.core import Block
    from prefect.client.orchestration import PrefectClient

#: The private Prefect names this package uses on Prefect 2 (the `_sync=False` keyword below is
#: `sync_compatible`'s public way to get the coroutine); tests/test_compat.py checks each.
PRIVATE_PREFECT_NAMES = (
    # The checksum a block class's schema is filed under, to find it with the client's public reads.
    "prefect.blocks.core.Block._calculate_schema_checksum",
    # Loading a saved block: `_from_block_document(block_document)` validates `block_document.data`,
    # called by `load(name, validate)` (stored_blocks.py reads both).
    "prefect.blocks.core.Block._from_block_document",
    # The document a block was loaded from or saved as: the resource of a check's event.
    "prefect.blocks.core.Block._block_document_id",
    "prefect.blocks.core.Block._block_document_name",
)


def field_validator(field_name: str) -> Callable[[Any], Any]:
    """`pydantic.field_validator(field_name)` for a `@classmethod` validator, on pydantic.v1."""
    return _v1_validator(field_name, allow_reuse=True)


def http_url(url: str) -> str:
    """A block's `_logo_url`/`_documentation_url`: Prefect 2 takes them as plain strings."""
    return url


def secret_schema_field(description: str, schema_hints: dict[str, Any], **kwargs: Any) -> Any:
    """A `Field` whose JSON schema carries `schema_hints` (pydantic.v1 puts extra keywords there)."""
    return Field(description=description, **schema_hints, **kwargs)


class BlockCompat:
    """What Prefect 3 blocks have and Prefect 2 blocks lack: `aload` and `asave` to await; and
    the block's own error for a saved block that fails validation.

    pydantic.v1 never shows the rejected input in a `ValidationError` message, so there is
    no setting to hide it here.
    """

    @classmethod
    def parse_obj(cls, obj: Any) -> Any:
        """pydantic.v1's `parse_obj`; for a saved block Prefect is loading, `_invalid_stored_block`."""
        try:
            return super().parse_obj(obj)  # type: ignore[misc]
        except ValidationError as error:
            failures = error_details(error)
            block_name = refused_stored_block(obj, failures)
            if block_name is None:
                raise
        # Raised outside the `except`: the ValidationError is not its context.
        raise cls._invalid_stored_block(block_name, failures)

    @classmethod
    def _invalid_stored_block(cls, block_name: str, failures: list[dict[str, Any]]) -> Exception:
        """The error for the saved block `block_name`, whose data fails validation (`error_details`)."""
        raise NotImplementedError

    @classmethod
    async def aload(cls: type[BlockT], name: str, validate: bool = True, client: Any = None) -> BlockT:
        """Load a saved block, awaitable in any async code (Prefect 3's `Block.aload`)."""
        return await aload_block(cls, name, validate=validate, client=client)

    async def asave(self, name: str | None = None, overwrite: bool = False, client: Any = None) -> Any:
        """Save the block, awaitable in any async code (Prefect 3's `Block.asave`)."""
        return await asave_block(self, name, overwrite=overwrite, client=client)  # type: ignore[arg-type]


def async_dispatch(
    async_impl: Callable[..., Coroutine[Any, Any, R]],
) -> Callable[[Callable[..., R]], Callable[..., Any]]:
    """Prefect 3's `async_dispatch`: the sync method returns `async_impl`'s coroutine in async code.

    Prefect 2's `sync_compatible` makes that choice the same way (and runs `async_impl` to
    completion in sync code), so the sync implementation is not needed here.
    """

    def decorate(sync_impl: Callable[..., R]) -> Callable[..., Any]:
        return functools.wraps(sync_impl)(sync_compatible(async_impl))

    return decorate


async def aload_block(block_class: type[BlockT], name: str, **kwargs: Any) -> BlockT:
    """`await block_class.aload(name)` for any block class, core ones included."""
    return await block_class.load(name, _sync=False, **kwargs)  # type: ignore[call-arg, misc]


async def asave_block(block: Block, name: str | None, **kwargs: Any) -> Any:
    """`await block.asave(name)` for any block, core ones included."""
    return await block.save(name, _sync=False, **kwargs)  # type: ignore[call-arg, misc]


async def aregister_block_type(block_class: type[Block], client: PrefectClient | None = None) -> None:
    """Register the block's type and schema with the API (`aregister_type_and_schema` in 3.x)."""
    await block_class.register_type_and_schema(client=client, _sync=False)  # type: ignore[call-arg, misc]


def model_data(model: Any, mode: Literal["python", "json"] = "python", include_secrets: bool = False) -> dict[str, Any]:
    """
    A model's field values by alias; in `json` mode JSON-ready, secrets shown only if asked.

    Only its declared fields, as Prefect 2's `Block.save` sends: its blocks allow extra attributes,
    and some keep a client in one (`SlackWebhook._apprise_client`).
    """
    fields = set(model.__fields__)
    if mode == "python" and not include_secrets:
        return model.dict(by_alias=True, include=fields)
    encoders = dict(getattr(model.__config__, "json_encoders", {}))
    if include_secrets:
        # Prefect 2's Block encodes its SecretDict as the masked dict: every secret kind reveals here.
        encoders = {kind: encode for kind, encode in encoders.items() if not issubclass(kind, SecretField)}
        encoders[SecretField] = lambda value: value.get_secret_value()
    text = model.json(by_alias=True, include=fields, encoder=lambda value: custom_pydantic_encoder(encoders, value))
    return json.loads(text)


def model_json(model: Any) -> str:
    """A model as the JSON an API read returns: secrets masked."""
    return model.json()


def validate_model(model_class: type[R], data: Any) -> R:
    """Build a model from data as an API read returns it (`model_validate`)."""
    return model_class.parse_obj(data)  # type: ignore[attr-defined]


def error_details(error: ValidationError) -> list[dict[str, Any]]:
    """A `ValidationError`'s errors without the rejected inputs (pydantic.v1 never lists them)."""
    return error.errors()


def state_hook(hook: StateHook) -> Callable[..., Awaitable[None]]:
    """`hook(flow_or_task, run, state)` as Prefect 2 calls hooks: with keywords only."""

    @functools.wraps(hook)
    async def called_with_keywords(
        *, state: Any, flow: Any = None, flow_run: Any = None, task: Any = None, task_run: Any = None
    ) -> None:
        await hook(flow if flow is not None else task, flow_run if flow_run is not None else task_run, state)

    return called_with_keywords


def core_secret_value(value: Any) -> Any:
    """What to give Prefect's core `Secret` for a JSON value: Prefect 2's holds text only, so JSON text."""
    return value if isinstance(value, str) else json.dumps(value)


def core_secret_get(secret: Any) -> Any:
    """What Prefect 3's `Secret.get()` returns: the text, JSON-decoded when it is JSON (as 1.x did)."""
    text = secret.get()
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


@contextmanager
def embedded_api_settings(startup_timeout: int) -> Iterator[None]:
    """
    For a command that may use Prefect's embedded API (no `PREFECT_API_URL`).

    Prefect 2 serves it in-process, so there is no server start to wait for, and no background
    service to turn off (`create_app(ephemeral=True)` starts none, telemetry included). Creating
    its SQLite database makes SQLAlchemy warn about two indexes it cannot reflect, which says
    nothing to the user of a command.
    """
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", SAWarning)
        yield


#: The hosts of the incoming-webhook URLs Prefect's core `SlackWebhook` block posts to.
#: Prefect 2's `SlackWebhook` hands the URL to whatever Apprise is installed, and Apprise releases
#: before slack-gov support log a URL they cannot parse, the whole URL, at ERROR: Slack only.
CORE_SLACK_WEBHOOK_HOSTS = ("hooks.slack.com",)


def save_concurrency(requested: int) -> int:
    """
    How many saves to send at once: one when Prefect 2 serves its embedded API in this process.

    There the saves share this process and one SQLite file with the API, so concurrent ones
    only lock each other, and its server logs every lock as an error on our stderr.
    """
    from prefect.settings import PREFECT_API_URL

    return requested if PREFECT_API_URL.value() else 1


def saved_block_document(block: Block) -> tuple[UUID, str] | None:
    """The id and name of the block document `block` was loaded from or saved as; None for one built in code."""
    # No public names for them (PRIVATE_PREFECT_NAMES).
    if block._block_document_id is None:
        return None
    return block._block_document_id, block._block_document_name or ""


def block_schema_checksum(block_class: type[Block]) -> str:
    """The checksum Prefect files the block class's schema under (`read_block_schema_by_checksum`)."""
    return block_class._calculate_schema_checksum()  # no public name for it (PRIVATE_PREFECT_NAMES)


def optional_field_defaults(model_class: type[Any]) -> dict[str, Any]:
    """`{field name: default}` for the fields of a block (pydantic.v1 model) that need not be given."""
    return {name: field.default for name, field in model_class.__fields__.items() if not field.required}


def required_fields(model_class: type[Any]) -> tuple[str, ...]:
    """The names of the fields of a block (pydantic.v1 model) that must be given."""
    return tuple(name for name, field in model_class.__fields__.items() if field.required)


__all__ = [
    "CORE_SLACK_WEBHOOK_HOSTS",
    "PRIVATE_PREFECT_NAMES",
    "BlockCompat",
    "SecretStr",
    "Field",
    "ValidationError",
    "aload_block",
    "aregister_block_type",
    "asave_block",
    "async_dispatch",
    "block_schema_checksum",
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
