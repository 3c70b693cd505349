"""The one source of truth for which block type a 1.x secret becomes, and under which name.

`migrate`, `scan` and the docs all read `BLOCK_TARGETS`, `target_for` and `block_name_for`.
`CORE_SLACK_WEBHOOK_TARGET` is no 1.x secret's target: the migration may save it beside a
`SlackWebhookURL`, for servers that cannot import this package (`SAVED_BLOCK_TYPES` holds both).
Block types from Prefect's integration packages (prefect-gcp, prefect-azure, ...) are targets
only when their package is installed; their classes are imported when a block is built.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from prefect_secretblocks._compat import ValidationError, core_secret_get, core_secret_value, required_fields
from prefect_secretblocks.blocks.github import GitHubToken, is_github_token
from prefect_secretblocks.blocks.slack import (
    SlackWebhookURL,
    core_slack_webhook,
    is_core_slack_webhook_url,
    is_slack_webhook_url,
)
from prefect_secretblocks.blocks.twitter import TWITTER_V1_KEYS, TwitterCredentials, is_twitter_credentials
from prefect_secretblocks.exceptions import IntegrationBroken, IntegrationNotInstalled, UnknownBlockType

if TYPE_CHECKING:
    from prefect.blocks.core import Block


class UnsupportedValue(ValueError):
    """A 1.x value that JSON, and so a Prefect block, cannot hold."""


@dataclass(frozen=True)
class Integration:
    """A Prefect integration package a block type comes from, and the extra of ours that brings it."""

    package: str  # the name pip installs: prefect-gcp
    module: str  # the name Python imports: prefect_gcp
    extra: str  # prefect-secretblocks[extra]

    def is_installed(self) -> bool:
        """Whether the package can be imported (looked up, not imported: its SDK is slow to import)."""
        return importlib.util.find_spec(self.module) is not None

    def install_hint(self) -> str:
        return f"pip install {self.package} (or prefect-secretblocks[{self.extra}])"


@dataclass(frozen=True)
class BlockTarget:
    """A block type 1.x secrets can migrate to."""

    slug: str
    v1_names: tuple[str, ...]
    block_class: Callable[[], type[Block]]  # a function, so an integration is only imported when used
    has_shape: Callable[[Any], bool]
    build: Callable[[Any], Block]  # the block holding a 1.x value; raises ValueError on a wrong shape
    v1_value: Callable[[Block], Any]  # what 1.x's `Secret.get()` returned, read back from the block
    replacement: str  # the code that replaces `Secret(NAME).get()`, with {block_name}
    replacement_import: tuple[str, str]  # (module, name): the import `replacement` needs
    integration: Optional[Integration] = None  # None: always installed (Prefect, us, prefect-aws)
    # 1.x read all of `v1_names` together (EmailTask): one block of this name holds them all,
    # with `optional_v1_names` when they are found too; `combine` turns `{v1 name: value}` into
    # what `build` takes and `v1_value` gives (None: as it is).
    shared_block_name: Optional[str] = None
    optional_v1_names: tuple[str, ...] = ()
    combine: Optional[Callable[[dict[str, Any]], Any]] = None
    # For a shared block: the code after `replacement` giving one 1.x name's value (`.username`).
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def grouped_names(self) -> tuple[str, ...]:
        """The 1.x names one shared block holds, required first; () for a block holding one secret."""
        return (*self.v1_names, *self.optional_v1_names) if self.shared_block_name else ()

    def replacement_for(self, secret_name: str, block_name: str) -> str:
        """The code that replaces a 1.x read of `secret_name`, whose block is `block_name`."""
        return self.replacement.format(block_name=block_name) + self.fields.get(secret_name, "")

    def is_available(self) -> bool:
        """Whether the block class can be imported here."""
        return self.integration is None or self.integration.is_installed()


def _never(value: Any) -> bool:
    return False


# --- the typed blocks of this package: derived from the block class ------------------------


def _own_block_target(
    block_class: type[Block], v1_names: tuple[str, ...], has_shape: Callable[[Any], bool], expected: str
) -> BlockTarget:
    """
    A target for one of this package's blocks: `get()` returns the 1.x value.

    A 1.x string goes into the block's one required field; a 1.x table's keys are its fields.
    """
    fields = required_fields(block_class)

    def build(value: Any) -> Block:
        if isinstance(value, str) and len(fields) == 1:
            return block_class(**{fields[0]: value})
        if isinstance(value, dict) and has_shape(value):
            return block_class(**value)
        raise ValueError(f"expected {expected}")

    return BlockTarget(
        slug=block_class.get_block_type_slug(),
        v1_names=v1_names,
        block_class=lambda: block_class,
        has_shape=has_shape,
        build=build,
        v1_value=lambda block: block.get(),  # type: ignore[attr-defined]  # every block of ours has get()
        replacement=f'{block_class.__name__}.load("{{block_name}}").get()',
        replacement_import=("prefect_secretblocks", block_class.__name__),
    )


# --- blocks of Prefect's integration packages, imported only when used ----------------------


def _import_class(module: str, name: str, integration: Optional[Integration] = None) -> Callable[[], type[Block]]:
    def block_class() -> type[Block]:
        try:
            imported = importlib.import_module(module)
        except ImportError as exc:
            if integration is None:
                raise
            # Installed (its spec is found) yet broken, e.g. by a dependency release it did not exclude.
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
            raise IntegrationBroken(name, integration.package, integration.extra, reason) from None
        found: type[Block] = getattr(imported, name)
        return found

    return block_class


def _integration_target(
    slug: str,
    v1_names: tuple[str, ...],
    integration: Integration,
    class_name: str,
    secret_field: str,
    value_type: type = str,
    has_shape: Callable[[Any], bool] = _never,
) -> BlockTarget:
    """A target for an integration block whose one secret field holds the whole 1.x value."""
    block_class = _import_class(integration.module, class_name, integration)
    expected = "a string" if value_type is str else "a table"

    def build(value: Any) -> Block:
        if not isinstance(value, value_type):
            raise ValueError(f"expected {expected} for {secret_field}")
        integration_class = block_class()  # outside the try: a broken package is its own error
        try:
            return integration_class(**{secret_field: value})
        except ValidationError:
            raise
        except Exception as exc:  # GcpCredentials parses the key when created: its error could quote it
            raise ValueError(f"{secret_field} is not usable ({type(exc).__name__})") from None

    return BlockTarget(
        slug=slug,
        v1_names=v1_names,
        block_class=block_class,
        has_shape=has_shape,
        build=build,
        v1_value=lambda block: getattr(block, secret_field).get_secret_value(),
        replacement=f'{class_name}.load("{{block_name}}")',
        replacement_import=(integration.module, class_name),
        integration=integration,
    )


# --- GCP: a service-account key --------------------------------------------------------------
_SERVICE_ACCOUNT_KEYS = {"type", "private_key", "client_email"}


def _is_service_account_info(value: Any) -> bool:
    return isinstance(value, dict) and _SERVICE_ACCOUNT_KEYS <= set(value) and value.get("type") == "service_account"


# --- Email: EmailTask read EMAIL_USERNAME and EMAIL_PASSWORD together -------------------------
EMAIL_V1_NAMES = ("EMAIL_USERNAME", "EMAIL_PASSWORD")


def _email_target() -> BlockTarget:
    integration = Integration(package="prefect-email", module="prefect_email", extra="email")
    block_class = _import_class(integration.module, "EmailServerCredentials", integration)

    def build(value: Any) -> Block:
        if not (isinstance(value, dict) and set(value) == set(EMAIL_V1_NAMES)):
            raise ValueError("holds 1.x's EMAIL_USERNAME and EMAIL_PASSWORD together; give it only those two")
        if not all(isinstance(item, str) for item in value.values()):
            raise ValueError("expected strings for EMAIL_USERNAME and EMAIL_PASSWORD")
        # The server settings are EmailTask's defaults and the block's: smtp.gmail.com, SSL, port 465.
        return block_class()(username=value["EMAIL_USERNAME"], password=value["EMAIL_PASSWORD"])

    return BlockTarget(
        slug="email-server-credentials",
        v1_names=EMAIL_V1_NAMES,
        block_class=block_class,
        has_shape=_never,
        build=build,
        v1_value=lambda block: {
            "EMAIL_USERNAME": block.username,  # type: ignore[attr-defined]
            "EMAIL_PASSWORD": block.password.get_secret_value(),  # type: ignore[attr-defined]
        },
        replacement='EmailServerCredentials.load("{block_name}")',
        replacement_import=(integration.module, "EmailServerCredentials"),
        integration=integration,
        shared_block_name="email-server-credentials",
        fields={"EMAIL_USERNAME": ".username", "EMAIL_PASSWORD": ".password.get_secret_value()"},
    )


# --- AWS: prefect-aws's AwsCredentials, imported lazily (boto3 is slow to import) ---------
_AWS_REQUIRED_KEYS = {"ACCESS_KEY", "SECRET_ACCESS_KEY"}
_AWS_KEYS = _AWS_REQUIRED_KEYS | {"SESSION_TOKEN"}


def _is_aws_credentials(value: Any, keys: set[str] = _AWS_KEYS) -> bool:
    return (
        isinstance(value, dict)
        and _AWS_REQUIRED_KEYS <= set(value) <= keys
        and all(isinstance(item, str) for item in value.values())
    )


def _build_aws_credentials(value: Any) -> Block:
    # REGION: the region the 1.x variables AWS_DEFAULT_REGION/AWS_REGION gave (`_combine_aws_variables`).
    if not _is_aws_credentials(value, _AWS_KEYS | {"REGION"}):
        raise ValueError("expected a table with string keys ACCESS_KEY, SECRET_ACCESS_KEY and optionally SESSION_TOKEN")
    return _import_class("prefect_aws", "AwsCredentials")()(
        aws_access_key_id=value["ACCESS_KEY"],
        aws_secret_access_key=value["SECRET_ACCESS_KEY"],
        aws_session_token=value.get("SESSION_TOKEN"),
        region_name=value.get("REGION"),
    )


def _aws_v1_value(block: Any) -> dict[str, str]:
    value = {"ACCESS_KEY": block.aws_access_key_id, "SECRET_ACCESS_KEY": block.aws_secret_access_key.get_secret_value()}
    if block.aws_session_token is not None:
        value["SESSION_TOKEN"] = block.aws_session_token
    if block.region_name is not None:
        value["REGION"] = block.region_name
    return value


def _aws_target(v1_names: tuple[str, ...] = ("AWS_CREDENTIALS",), **shared: Any) -> BlockTarget:
    """prefect-aws's `AwsCredentials`: for the 1.x `AWS_CREDENTIALS` table, or (`shared`) for boto3's variables."""
    return BlockTarget(
        slug="aws-credentials",
        v1_names=v1_names,
        block_class=_import_class("prefect_aws", "AwsCredentials"),
        has_shape=_never if shared else _is_aws_credentials,
        build=_build_aws_credentials,
        v1_value=_aws_v1_value,
        replacement='AwsCredentials.load("{block_name}")',
        replacement_import=("prefect_aws", "AwsCredentials"),
        **shared,
    )


# Teams stored boto3's environment variables as 1.x secrets, one each, more often than the table.
AWS_V1_NAMES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
_AWS_OPTIONAL_V1_NAMES = ("AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION")
_AWS_KEY_OF = {"AWS_ACCESS_KEY_ID": "ACCESS_KEY", "AWS_SECRET_ACCESS_KEY": "SECRET_ACCESS_KEY"}
_AWS_KEY_OF.update(AWS_SESSION_TOKEN="SESSION_TOKEN", AWS_DEFAULT_REGION="REGION", AWS_REGION="REGION")


def _combine_aws_variables(values: dict[str, Any]) -> dict[str, Any]:
    """`{AWS_ACCESS_KEY_ID: ..., ...}` as the `AWS_CREDENTIALS` table `AwsCredentials` is built from."""
    regions = {values[name] for name in ("AWS_DEFAULT_REGION", "AWS_REGION") if name in values}
    if len(regions) > 1:
        raise ValueError("AWS_DEFAULT_REGION and AWS_REGION differ; the block has one region_name")
    if not all(isinstance(value, str) for value in values.values()):
        raise ValueError(f"expected strings for {' and '.join(values)}")
    return {_AWS_KEY_OF[name]: value for name, value in values.items()}


_AWS_VARIABLES_TARGET = _aws_target(
    v1_names=AWS_V1_NAMES,
    optional_v1_names=_AWS_OPTIONAL_V1_NAMES,
    shared_block_name="aws-credentials",
    combine=_combine_aws_variables,
    fields={
        "AWS_ACCESS_KEY_ID": ".aws_access_key_id",
        "AWS_SECRET_ACCESS_KEY": ".aws_secret_access_key.get_secret_value()",
        "AWS_SESSION_TOKEN": ".aws_session_token",
        "AWS_DEFAULT_REGION": ".region_name",
        "AWS_REGION": ".region_name",
    },
)


# --- Prefect's core Secret: anything JSON can hold ----------------------------------------


def _secret_class() -> type[Block]:
    from prefect.blocks.system import Secret

    return Secret


def _build_secret(value: Any) -> Block:
    # `Secret.get()` runs `json.loads` on a string value, as 1.x did: a string that would
    # decode to something else (e.g. "12") is stored JSON-encoded so it comes back unchanged.
    if value is None or (isinstance(value, str) and _decodes_as_json(value)):
        value = json.dumps(value)
    return _secret_class()(value=core_secret_value(value))


def _decodes_as_json(text: str) -> bool:
    """Whether `Secret.get()` would not return `text` as it is (it decodes, or fails trying)."""
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    except (ValueError, RecursionError):  # too many digits, too deep: get() would raise on it
        return True
    return True


BLOCK_TARGETS: tuple[BlockTarget, ...] = (
    _own_block_target(GitHubToken, ("GITHUB_ACCESS_TOKEN",), is_github_token, "a string token"),
    _own_block_target(SlackWebhookURL, ("SLACK_WEBHOOK_URL",), is_slack_webhook_url, "a URL string"),
    _own_block_target(
        TwitterCredentials,
        ("TWITTER_API_CREDENTIALS",),
        is_twitter_credentials,
        f"a table with exactly the string keys {', '.join(TWITTER_V1_KEYS)}",
    ),
    _aws_target(),
    _AWS_VARIABLES_TARGET,
    _integration_target(
        "gcp-credentials",
        ("GCP_CREDENTIALS",),
        Integration(package="prefect-gcp", module="prefect_gcp", extra="gcp"),
        "GcpCredentials",
        "service_account_info",
        value_type=dict,
        has_shape=_is_service_account_info,
    ),
    _integration_target(
        "gitlab-credentials",
        ("GITLAB_ACCESS_TOKEN",),
        Integration(package="prefect-gitlab", module="prefect_gitlab", extra="gitlab"),
        "GitLabCredentials",
        "token",
    ),
    _integration_target(
        "bitbucket-credentials",
        ("BITBUCKET_ACCESS_TOKEN",),
        Integration(package="prefect-bitbucket", module="prefect_bitbucket", extra="bitbucket"),
        "BitBucketCredentials",
        "token",
    ),
    _integration_target(
        "azure-blob-storage-credentials",
        ("AZURE_STORAGE_CONNECTION_STRING", "AZ_CONNECTION_STRING"),
        Integration(package="prefect-azure", module="prefect_azure", extra="azure"),
        "AzureBlobStorageCredentials",
        "connection_string",
    ),
    _email_target(),
    BlockTarget(
        slug="secret",
        v1_names=(),
        block_class=_secret_class,
        has_shape=lambda value: True,
        build=_build_secret,
        v1_value=core_secret_get,
        replacement='Secret.load("{block_name}").get()',
        replacement_import=("prefect.blocks.system", "Secret"),
    ),
)


def _first_of_each_slug(targets: tuple[BlockTarget, ...]) -> dict[str, BlockTarget]:
    by_slug: dict[str, BlockTarget] = {}
    for target in targets:
        by_slug.setdefault(target.slug, target)
    return by_slug


#: The target `--map NAME=SLUG` chooses: the first of a slug (`AWS_CREDENTIALS`'s, not the variables').
TARGETS_BY_SLUG: Mapping[str, BlockTarget] = _first_of_each_slug(BLOCK_TARGETS)
GENERIC_TARGET = TARGETS_BY_SLUG["secret"]


# --- Prefect's core SlackWebhook: saved beside a SlackWebhookURL, never a secret's target ---


def _core_slack_webhook_class() -> type[Block]:
    from prefect.blocks.notifications import SlackWebhook

    return SlackWebhook


def _build_core_slack_webhook(value: Any) -> Block:
    if not isinstance(value, str):
        raise ValueError("expected a URL string")
    return core_slack_webhook(value)


#: Prefect's core `SlackWebhook` (`slack-webhook`) holding the URL of a `SlackWebhookURL`: a
#: server without this package (Prefect Cloud) resolves its class, so Automations can notify
#: through it. Not in `BLOCK_TARGETS`: `--map` and the name and shape rules never choose it.
CORE_SLACK_WEBHOOK_TARGET = BlockTarget(
    slug="slack-webhook",
    v1_names=(),
    block_class=_core_slack_webhook_class,
    has_shape=is_core_slack_webhook_url,
    build=_build_core_slack_webhook,
    v1_value=lambda block: block.url.get_secret_value(),  # type: ignore[attr-defined]
    replacement='SlackWebhook.load("{block_name}").url.get_secret_value()',
    replacement_import=("prefect.blocks.notifications", "SlackWebhook"),
)
#: Every block type a migration may save, by slug: the targets and the core block saved beside one.
SAVED_BLOCK_TYPES: Mapping[str, BlockTarget] = {
    **TARGETS_BY_SLUG,
    CORE_SLACK_WEBHOOK_TARGET.slug: CORE_SLACK_WEBHOOK_TARGET,
}


def target_for(name: str, value: Any = None, override: Optional[str] = None) -> BlockTarget:
    """
    The block type a 1.x secret migrates to.

    An explicit `override` slug wins; then the well-known 1.x name; then a value with the
    unmistakable shape of a typed block; everything else becomes Prefect's core `Secret`. A
    typed block whose integration package is not installed gives way to `Secret` too
    (`unavailable_target_for` says which).

    Raises:
        UnknownBlockType: `override` is not a known block type slug.
        IntegrationNotInstalled: `override` names a block type whose package is not installed.
    """
    if override is not None:
        return _chosen_target(name, override)
    typed = typed_target_for(name, value)
    return typed if typed is not None and typed.is_available() else GENERIC_TARGET


def _chosen_target(name: str, slug: str) -> BlockTarget:
    target = TARGETS_BY_SLUG.get(slug)
    if target is None:
        raise UnknownBlockType(secret=name, slug=slug, known=tuple(TARGETS_BY_SLUG))
    if target.integration is not None and not target.is_available():
        integration = target.integration
        raise IntegrationNotInstalled(secret=name, slug=slug, package=integration.package, extra=integration.extra)
    return target


def typed_target_for(name: str, value: Any = None) -> Optional[BlockTarget]:
    """The typed block a secret's name or value shape asks for, installed or not; None: a core `Secret`."""
    for target in BLOCK_TARGETS:
        if name in target.v1_names or name in target.optional_v1_names:
            return target
    for target in BLOCK_TARGETS:
        if target is not GENERIC_TARGET and target.has_shape(value):
            return target
    return None


def unavailable_target_for(name: str, value: Any = None) -> Optional[BlockTarget]:
    """The typed block `target_for` would have chosen had its integration package been installed."""
    typed = typed_target_for(name, value)
    return typed if typed is not None and not typed.is_available() else None


_INVALID_NAME_CHARACTERS = re.compile(r"[^a-z0-9-]")
_SEPARATORS = re.compile(r"[_. ]")
_DASH_RUNS = re.compile(r"-{2,}")


def block_name_for(secret_name: str, prefix: str = "") -> str:
    """
    The Prefect block name for a 1.x secret: `GITHUB_ACCESS_TOKEN` -> `github-access-token`.

    Lowercase; `_`, `.` and spaces become `-`; other characters Prefect does not allow in
    block names are dropped; runs of `-` collapse; leading and trailing `-` are trimmed.
    The result may be empty; the planner reports that as an error.
    """
    name = _SEPARATORS.sub("-", (prefix + secret_name).lower())
    name = _INVALID_NAME_CHARACTERS.sub("", name)
    return _DASH_RUNS.sub("-", name).strip("-")


def to_json_value(value: Any) -> tuple[Any, bool]:
    """
    The JSON form of a 1.x value, and whether it had to change (tuples become lists).

    Raises:
        UnsupportedValue: The value holds something JSON cannot (set, bytes, complex,
            datetime, non-string keys, inf/nan, ...); the message says what.
    """
    if value is None or isinstance(value, (bool, str)):
        return value, False
    if isinstance(value, int):
        try:
            str(value)
        except ValueError:  # Python refuses to print ints over 4300 digits, and so does json
            raise UnsupportedValue("holds an integer too long for JSON") from None
        return value, False
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UnsupportedValue(f"holds the float {value!r}, which JSON cannot represent")
        return value, False
    if isinstance(value, (list, tuple)):
        items = [to_json_value(item) for item in value]
        return [item for item, _ in items], isinstance(value, tuple) or any(changed for _, changed in items)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise UnsupportedValue("is a dict with non-string keys, which JSON cannot represent")
        members = {key: to_json_value(item) for key, item in value.items()}
        return {key: item for key, (item, _) in members.items()}, any(changed for _, changed in members.values())
    raise UnsupportedValue(f"holds a Python {type(value).__name__}, which JSON cannot represent")


def canonical_json(value: Any) -> str:
    """A comparable form of a JSON value that tells 1 from True and 1 from 1.0."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
