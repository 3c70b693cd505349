"""Prefect 3: blocks on pydantic 2, with `aload`/`asave` and `async_dispatch` of their own."""

from __future__ import annotations

import functools
from collections.abc import Awaitable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Callable, Literal

from prefect.utilities.asyncutils import run_coro_as_sync
from pydantic import ConfigDict, Field, HttpUrl, SecretStr, ValidationError, field_validator
from pydantic_core import to_jsonable_python

from prefect_secretblocks._compat.stored_blocks import refused_stored_block
from prefect_secretblocks._compat.types import BlockT, R, StateHook, missing_private_name

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.blocks.core import Block
    from prefect.client.orchestration import PrefectClient

#: The private Prefect names this package uses; tests/test_compat.py imports each, so a Prefect
#: release that drops one fails there, naming the name and the Prefect version.
PRIVATE_PREFECT_NAMES = (
    # The sync/async pair behind `notify`/`anotify`, as Prefect's own collections build them.
    "prefect._internal.compatibility.async_dispatch.async_dispatch",
    # The checksum a block class's schema is filed under, to find it with the client's public reads.
    "prefect.blocks.core.Block._calculate_schema_checksum",
    # Loading a saved block: `_from_block_document(block_document)` validates `block_document.data`,
    # called by `_load_from_block_document(block_document, validate)` (stored_blocks.py reads both).
    "prefect.blocks.core.Block._from_block_document",
    "prefect.blocks.core.Block._load_from_block_document",
    # The document a block was loaded from or saved as: the resource of a check's event.
    "prefect.blocks.core.Block._block_document_id",
    "prefect.blocks.core.Block._block_document_name",
)

try:
    from prefect._internal.compatibility.async_dispatch import async_dispatch
except ImportError as exc:  # a Prefect release this package does not support
    raise ImportError(missing_private_name(PRIVATE_PREFECT_NAMES[0])) from exc


def http_url(url: str) -> HttpUrl:
    """A block's `_logo_url`/`_documentation_url`: Prefect 3 types them as pydantic `HttpUrl`s."""
    return HttpUrl(url)


def secret_schema_field(description: str, schema_hints: dict[str, Any], **kwargs: Any) -> Any:
    """A `Field` whose JSON schema is one string property carrying `schema_hints`, optional or not.

    pydantic 2 writes an `Optional[SecretStr]` field as `anyOf: [{string}, {type: null}]` with
    `default: null`, which Prefect's UI renders as a choice between "password" and "None". Here it
    is the string branch alone, as pydantic.v1 (Prefect 2) writes it: the field is optional
    because it is not in the schema's `required`, and the UI leaves an empty input out.
    """
    return Field(description=description, json_schema_extra=_one_string_property(schema_hints), **kwargs)


def _one_string_property(schema_hints: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def rewrite(schema: dict[str, Any]) -> None:
        branches = [branch for branch in schema.pop("anyOf", ()) if branch.get("type") != "null"]
        if len(branches) > 1:
            raise TypeError(f"a secret field has one type, not {len(branches)}")
        for branch in branches:
            schema.update({key: value for key, value in branch.items() if key not in schema})
        if "default" in schema and schema["default"] is None:
            del schema["default"]  # a null default contradicts `type: string`; absent means None
        schema.update(schema_hints)

    return rewrite


class BlockCompat:
    """Prefect 3 blocks already have `aload`/`asave`; this adds the pydantic 2 setting and the
    block's own error for a saved block that fails validation.

    pydantic 2 prints the rejected input in `ValidationError` messages: for a secret that is
    a leak. pydantic merges a base's `model_config` into the block's.
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **kwargs: Any,
    ) -> Any:
        """pydantic's `model_validate`; for a saved block Prefect is loading, `_invalid_stored_block`."""
        try:
            return super().model_validate(  # type: ignore[misc]
                obj, strict=strict, from_attributes=from_attributes, context=context, **kwargs
            )
        except ValidationError as error:
            failures = error_details(error)
            block_name = refused_stored_block(obj, failures)
            if block_name is None:
                raise
        # Raised outside the `except`: the ValidationError, which holds the value, is not its context.
        raise cls._invalid_stored_block(block_name, failures)

    @classmethod
    def _invalid_stored_block(cls, block_name: str, failures: list[dict[str, Any]]) -> Exception:
        """The error for the saved block `block_name`, whose data fails validation (`error_details`)."""
        raise NotImplementedError


async def aload_block(block_class: type[BlockT], name: str, **kwargs: Any) -> BlockT:
    """`await block_class.aload(name)` for any block class, core ones included."""
    return await block_class.aload(name, **kwargs)


async def asave_block(block: Block, name: str | None, **kwargs: Any) -> Any:
    """`await block.asave(name)` for any block, core ones included."""
    return await block.asave(name, **kwargs)


async def aregister_block_type(block_class: type[Block], client: PrefectClient | None = None) -> None:
    """Register the block's type and schema with the API."""
    await block_class.aregister_type_and_schema(client=client)


def model_data(model: Any, mode: Literal["python", "json"] = "python", include_secrets: bool = False) -> dict[str, Any]:
    """A model's field values by alias; in `json` mode JSON-ready, secrets shown only if asked."""
    secret_fields = _top_level_secret_fields(model.__class__) if include_secrets and mode == "json" else None
    if secret_fields is None:
        return model.model_dump(mode=mode, by_alias=True, context={"include_secrets": include_secrets})
    # Prefect's serializer, asked for secrets, builds the block's whole JSON schema once for each of
    # its fields to find them: most of a 1,000-block migration's own CPU. Its schema's
    # `secret_fields`, read once per class, name the same fields: dump masked, then reveal those.
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    for name in secret_fields:
        value = getattr(model, name)
        if value is not None:
            data[name] = to_jsonable_python(value.get_secret_value() if hasattr(value, "get_secret_value") else value)
    return data


@functools.cache
def _top_level_secret_fields(model_class: Any) -> tuple[str, ...] | None:
    """
    The fields a block's schema lists as secret (`secret_fields`), when each is a top-level field
    serialized under its own name (a `SecretDict` is listed as `field.*`); None for any other model
    (reveal through Prefect's serializer). Read once per class.
    """
    from prefect.blocks.core import Block

    if not issubclass(model_class, Block):  # only a block's schema lists its secret_fields
        return None
    listed = model_class.model_json_schema().get("secret_fields", [])
    names = tuple(dict.fromkeys(path.removesuffix(".*") for path in listed))
    fields = model_class.model_fields
    plain = all(
        name in fields and "." not in name and not (fields[name].alias or fields[name].serialization_alias)
        for name in names
    )
    return names if plain else None


def model_json(model: Any) -> str:
    """A model as the JSON an API read returns: secrets masked."""
    return model.model_dump_json()


def validate_model(model_class: type[R], data: Any) -> R:
    """Build a model from data as an API read returns it (`model_validate`)."""
    return model_class.model_validate(data)  # type: ignore[attr-defined]


def error_details(error: ValidationError) -> list[dict[str, Any]]:
    """A `ValidationError`'s errors without the rejected inputs."""
    return [dict(detail) for detail in error.errors(include_input=False, include_url=False)]


def state_hook(hook: StateHook) -> Callable[..., Awaitable[None]]:
    """`hook(flow_or_task, run, state)` as Prefect 3 calls hooks: positionally, so as it is."""
    return hook


def core_secret_value(value: Any) -> Any:
    """What to give Prefect's core `Secret` for a JSON value: Prefect 3's holds any JSON value."""
    return value


def core_secret_get(secret: Any) -> Any:
    """`Secret.get()`: the value, JSON text decoded (as 1.x did)."""
    return secret.get()


#: The background services of Prefect 3's embedded server that a command saving blocks does not
#: need, by setting. Telemetry first: offline it logs `Failed to send telemetry` at ERROR on every
#: run, and its first write to a fresh SQLite database could meet the block registration's as
#: `database is locked`, a traceback. The others consume events and logs no one reads here.
QUIET_EMBEDDED_SERVER = (
    "server.analytics_enabled",
    "server.services.event_persister.enabled",  # and with it the event vacuum
    "server.services.event_logger.enabled",
    "server.services.task_run_recorder.enabled",
    "server.services.triggers.enabled",  # reactive and proactive triggers, and their actions
    "server.events.stream_out_enabled",
    "server.logs.stream_out_enabled",
)


def embedded_api_settings(startup_timeout: int) -> AbstractContextManager[Any]:
    """
    For a command that may use Prefect's embedded API (no `PREFECT_API_URL`).

    Prefect 3 starts it as a local server, passing it the settings of this context: give it
    `startup_timeout` seconds to start, and run it without the services in `QUIET_EMBEDDED_SERVER`.
    Each only as a default: a value the user set (environment, profile, .env) wins.
    """
    from prefect.settings import get_current_settings, temporary_settings

    quiet = {} if get_current_settings().api.url else dict.fromkeys(QUIET_EMBEDDED_SERVER, False)
    return temporary_settings(set_defaults={"server.ephemeral.startup_timeout_seconds": startup_timeout, **quiet})


#: The hosts of the incoming-webhook URLs Prefect's core `SlackWebhook` block posts to.
#: Prefect 3's `SlackWebhook` posts to Slack and to Slack GovCloud itself (Prefect 3.9).
CORE_SLACK_WEBHOOK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")


def save_concurrency(requested: int) -> int:
    """How many saves to send at once: as requested (Prefect 3's embedded API is a server of its own)."""
    return requested


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
    """`{field name: default}` for the fields of a block (pydantic 2 model) that need not be given."""
    return {name: field.default for name, field in model_class.model_fields.items() if not field.is_required()}


def required_fields(model_class: type[Any]) -> tuple[str, ...]:
    """The names of the fields of a block (pydantic 2 model) that must be given."""
    return tuple(name for name, field in model_class.model_fields.items() if field.is_required())


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
