"""The one source of truth for which block type a 1.x secret becomes, and under which name.

`migrate`, `scan` and the docs all read `BLOCK_TARGETS`, `target_for` and `block_name_for`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from prefect_secretblocks._compat import core_secret_get, core_secret_value
from prefect_secretblocks.blocks.github import GitHubToken, is_github_token
from prefect_secretblocks.blocks.slack import SlackWebhookURL, is_slack_webhook_url
from prefect_secretblocks.blocks.twitter import TWITTER_V1_KEYS, TwitterCredentials, is_twitter_credentials
from prefect_secretblocks.exceptions import BadInputError

if TYPE_CHECKING:
    from prefect.blocks.core import Block


class UnsupportedValue(ValueError):
    """A 1.x value that JSON, and so a Prefect block, cannot hold."""


@dataclass(frozen=True)
class BlockTarget:
    """A block type 1.x secrets can migrate to."""

    slug: str
    v1_names: tuple[str, ...]
    block_class: Callable[[], type[Block]]  # a function, so prefect_aws is only imported when used
    has_shape: Callable[[Any], bool]
    build: Callable[[Any], Block]  # the block holding a 1.x value; raises ValueError on a wrong shape
    v1_value: Callable[[Block], Any]  # what 1.x's `Secret.get()` returned, read back from the block
    replacement: str  # the code that replaces `Secret(NAME).get()`, with {block_name}
    replacement_import: tuple[str, str]  # (module, name): the import `replacement` needs


# --- AWS: prefect-aws's AwsCredentials, imported lazily (boto3 is slow to import) ---------
_AWS_REQUIRED_KEYS = {"ACCESS_KEY", "SECRET_ACCESS_KEY"}
_AWS_KEYS = _AWS_REQUIRED_KEYS | {"SESSION_TOKEN"}


def _aws_credentials_class() -> type[Block]:
    from prefect_aws import AwsCredentials

    return AwsCredentials


def _is_aws_credentials(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and _AWS_REQUIRED_KEYS <= set(value) <= _AWS_KEYS
        and all(isinstance(item, str) for item in value.values())
    )


def _build_aws_credentials(value: Any) -> Block:
    if not _is_aws_credentials(value):
        raise ValueError("expected a table with string keys ACCESS_KEY, SECRET_ACCESS_KEY and optionally SESSION_TOKEN")
    return _aws_credentials_class()(
        aws_access_key_id=value["ACCESS_KEY"],
        aws_secret_access_key=value["SECRET_ACCESS_KEY"],
        aws_session_token=value.get("SESSION_TOKEN"),
    )


def _aws_v1_value(block: Any) -> dict[str, str]:
    value = {"ACCESS_KEY": block.aws_access_key_id, "SECRET_ACCESS_KEY": block.aws_secret_access_key.get_secret_value()}
    if block.aws_session_token is not None:
        value["SESSION_TOKEN"] = block.aws_session_token
    return value


# --- the typed blocks of this package -------------------------------------------------------


def _build_github_token(value: Any) -> Block:
    if not isinstance(value, str):
        raise ValueError("expected a string token")
    return GitHubToken(token=value)


def _build_slack_webhook_url(value: Any) -> Block:
    if not isinstance(value, str):
        raise ValueError("expected a URL string")
    return SlackWebhookURL(url=value)


def _build_twitter_credentials(value: Any) -> Block:
    if not is_twitter_credentials(value):
        raise ValueError(f"expected a table with exactly the string keys {', '.join(TWITTER_V1_KEYS)}")
    return TwitterCredentials(**value)


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
    BlockTarget(
        slug="github-token",
        v1_names=("GITHUB_ACCESS_TOKEN",),
        block_class=lambda: GitHubToken,
        has_shape=is_github_token,
        build=_build_github_token,
        v1_value=lambda block: block.get(),
        replacement='GitHubToken.load("{block_name}").get()',
        replacement_import=("prefect_secretblocks", "GitHubToken"),
    ),
    BlockTarget(
        slug="slack-webhook-url",
        v1_names=("SLACK_WEBHOOK_URL",),
        block_class=lambda: SlackWebhookURL,
        has_shape=is_slack_webhook_url,
        build=_build_slack_webhook_url,
        v1_value=lambda block: block.get(),
        replacement='SlackWebhookURL.load("{block_name}").get()',
        replacement_import=("prefect_secretblocks", "SlackWebhookURL"),
    ),
    BlockTarget(
        slug="twitter-api-credentials",
        v1_names=("TWITTER_API_CREDENTIALS",),
        block_class=lambda: TwitterCredentials,
        has_shape=is_twitter_credentials,
        build=_build_twitter_credentials,
        v1_value=lambda block: block.get(),
        replacement='TwitterCredentials.load("{block_name}").get()',
        replacement_import=("prefect_secretblocks", "TwitterCredentials"),
    ),
    BlockTarget(
        slug="aws-credentials",
        v1_names=("AWS_CREDENTIALS",),
        block_class=_aws_credentials_class,
        has_shape=_is_aws_credentials,
        build=_build_aws_credentials,
        v1_value=_aws_v1_value,
        replacement='AwsCredentials.load("{block_name}")',
        replacement_import=("prefect_aws", "AwsCredentials"),
    ),
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
TARGETS_BY_SLUG: Mapping[str, BlockTarget] = {target.slug: target for target in BLOCK_TARGETS}
GENERIC_TARGET = TARGETS_BY_SLUG["secret"]


def target_for(name: str, value: Any = None, override: Optional[str] = None) -> BlockTarget:
    """
    The block type a 1.x secret migrates to.

    An explicit `override` slug wins; then the well-known 1.x name; then a value with the
    unmistakable shape of a typed block; everything else becomes Prefect's core `Secret`.

    Raises:
        BadInputError: `override` is not a known block type slug.
    """
    if override is not None:
        if override not in TARGETS_BY_SLUG:
            raise BadInputError(
                f"--map {name}={override}: unknown block type; choose one of {', '.join(TARGETS_BY_SLUG)}"
            )
        return TARGETS_BY_SLUG[override]
    for target in BLOCK_TARGETS:
        if name in target.v1_names:
            return target
    for target in BLOCK_TARGETS:
        if target is not GENERIC_TARGET and target.has_shape(value):
            return target
    return GENERIC_TARGET


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
        items = {key: to_json_value(item) for key, item in value.items()}
        return {key: item for key, (item, _) in items.items()}, any(changed for _, changed in items.values())
    raise UnsupportedValue(f"holds a Python {type(value).__name__}, which JSON cannot represent")


def canonical_json(value: Any) -> str:
    """A comparable form of a JSON value that tells 1 from True and 1 from 1.0."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
